"""The prepared dataset layout shared by synthetic generators and real-data preparation.

Every dataset, synthetic or real, is brought into this layout, so all downstream rules
are identical for both::

    <root>/
      dataset.json          DatasetInfo: name, domain, channels, scale, source, seed, ...
      index.tsv             one row per image: image_id, split, group, has_labels, partial,
                            height, width (+ optional dataset-specific columns)
      images/<image_id>.tif image, 2-D grey (Y, X) or channels-last (Y, X, C), dtype as acquired
      labels/<image_id>.tif uint16/uint32 instance labels, 0 = background, consecutive from 1
      points/<image_id>.csv optional point annotations: header ``y,x``, one row per object
                            centre (0-based pixel row, column), index column ``has_points``
      objects.tsv           optional per-object table: image_id, label, category

``split`` is one of ``train``, ``val``, ``test``; ``group`` is the dataset's own partition
(DSB cell type CT1..CT7, CTC sequence 01/02, ...). ``partial`` flags annotations that do
not cover every object (they are used for training only, never for scores).
``DatasetInfo.annotation`` names what the shared evaluation scores against: ``labels``
(instance masks) or ``points`` (one dot per object, e.g. bone-marrow dataset A).
A dataset of domain ``cell-crops`` (:data:`CELL_CROPS`, e.g. ``marrow-a-cells``) holds one cell
per image, already cropped; ``objects.tsv`` gives that cell (label 1) its category.
A dataset directory is written atomically (see :class:`DatasetWriter`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cellbench.errors import InputError
from cellbench.io import atomic_dir, read_image, read_labels, write_image, write_labels

SPLITS = ("train", "val", "test")
INDEX_COLUMNS = ("image_id", "split", "group", "has_labels", "partial", "height", "width")
IMAGE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
ANNOTATIONS = ("labels", "points")
POINT_COLUMNS = ("y", "x")
CELL_CROPS = "cell-crops"


@dataclass(frozen=True)
class DatasetInfo:
    """Description of a prepared dataset (``dataset.json``)."""

    name: str
    domain: str
    channels: tuple[str, ...] = ("intensity",)
    scale: float = 1.0
    source: str = ""
    seed: int | None = None
    description: str = ""
    categories: tuple[str, ...] = ()
    annotation: str = "labels"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.annotation not in ANNOTATIONS:
            raise InputError(
                "dataset.json", f"annotation must be one of {ANNOTATIONS}, got {self.annotation!r}"
            )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = list(self.channels)
        data["categories"] = list(self.categories)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DatasetInfo:
        data = dict(data)
        data["channels"] = tuple(data.get("channels", ("intensity",)))
        data["categories"] = tuple(data.get("categories", ()))
        return cls(**data)


def check_points(points: np.ndarray, shape: tuple[int, int], source: str | Path) -> np.ndarray:
    """Integer (N, 2) = (y, x) points inside an image of ``shape``; an InputError otherwise."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 2 or not np.issubdtype(points.dtype, np.integer):
        raise InputError(source, f"points must be integer (N, 2) = (y, x), got {points.shape}")
    outside = (points < 0).any(axis=1) | (points[:, 0] >= shape[0]) | (points[:, 1] >= shape[1])
    if outside.any():
        first = points[np.flatnonzero(outside)[0]]
        raise InputError(
            source,
            f"{int(outside.sum())} point(s) outside the image of shape {tuple(shape)} "
            f"(first: y={first[0]} x={first[1]})",
        )
    return points.astype(np.int64)


def check_consecutive(labels: np.ndarray, source: str | Path | None = None) -> None:
    """Raise unless the labels are exactly 0 (background) and 1..n."""
    ids = np.unique(labels)
    ids = ids[ids != 0]
    if ids.size and (ids[0] != 1 or ids[-1] != ids.size):
        raise InputError(
            source, f"labels are not consecutive 1..n (found {ids.size} ids, max {ids[-1]})"
        )


class DatasetWriter:
    """Collect images of a dataset in a temporary directory; see :func:`write_dataset`."""

    def __init__(self, root: Path, info: DatasetInfo) -> None:
        self.root = root
        self.info = info
        self._rows: list[dict[str, Any]] = []
        self._objects: list[dict[str, Any]] = []

    def add(
        self,
        image_id: str,
        image: np.ndarray,
        labels: np.ndarray | None,
        *,
        split: str,
        group: str = "all",
        partial: bool = False,
        categories: dict[int, str] | None = None,
        points: np.ndarray | None = None,
        **extra: Any,
    ) -> None:
        """Add one image (and its instance labels and/or points (N, 2) = (y, x), if annotated)."""
        if not IMAGE_ID_PATTERN.match(image_id):
            raise ValueError(f"invalid image id {image_id!r}")
        if split not in SPLITS:
            raise ValueError(f"{image_id}: split must be one of {SPLITS}, got {split!r}")
        if any(row["image_id"] == image_id for row in self._rows):
            raise ValueError(f"duplicate image id {image_id!r}")
        height, width = image.shape[:2]
        write_image(self.root / "images" / f"{image_id}.tif", image)
        if labels is not None:
            if labels.shape != (height, width):
                raise InputError(
                    image_id,
                    f"labels shape {labels.shape} differs from image shape {(height, width)}",
                )
            check_consecutive(labels, image_id)
            write_labels(self.root / "labels" / f"{image_id}.tif", labels)
        if points is not None:
            points = check_points(points, (height, width), image_id)
            (self.root / "points").mkdir(exist_ok=True)
            frame = pd.DataFrame(points, columns=list(POINT_COLUMNS))
            frame.to_csv(self.root / "points" / f"{image_id}.csv", index=False)
            extra["has_points"] = True
        elif self.info.annotation == "points":
            extra["has_points"] = False
        for label, category in (categories or {}).items():
            self._objects.append({"image_id": image_id, "label": int(label), "category": category})
        self._rows.append(
            {
                "image_id": image_id,
                "split": split,
                "group": str(group),
                "has_labels": labels is not None,
                "partial": bool(partial),
                "height": int(height),
                "width": int(width),
                **extra,
            }
        )

    def finish(self) -> None:
        if not self._rows:
            raise ValueError(f"dataset {self.info.name!r} has no images")
        pd.DataFrame(self._rows).to_csv(self.root / "index.tsv", sep="\t", index=False)
        if self._objects:
            pd.DataFrame(self._objects).to_csv(self.root / "objects.tsv", sep="\t", index=False)
        (self.root / "dataset.json").write_text(json.dumps(self.info.to_json(), indent=2) + "\n")


@contextmanager
def write_dataset(
    root: str | Path, info: DatasetInfo, *, overwrite: bool = False
) -> Iterator[DatasetWriter]:
    """Write a prepared dataset atomically: it appears at ``root`` only when complete.

    An existing ``root`` not written by cellbench is refused unless ``overwrite``
    (:func:`cellbench.io.atomic_dir`).
    """
    with atomic_dir(root, overwrite=overwrite) as tmp:
        writer = DatasetWriter(tmp, info)
        yield writer
        writer.finish()


class PreparedDataset:
    """Read access to a dataset in the prepared layout."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        index_path = self.root / "index.tsv"
        info_path = self.root / "dataset.json"
        for path in (index_path, info_path):
            if not path.is_file():
                raise InputError(path, "missing: not a prepared dataset directory")
        self.info = DatasetInfo.from_json(json.loads(info_path.read_text()))
        self.index = pd.read_csv(index_path, sep="\t", dtype={"image_id": str, "group": str})
        missing = set(INDEX_COLUMNS) - set(self.index.columns)
        if missing:
            raise InputError(index_path, f"missing columns {sorted(missing)}")

    @property
    def name(self) -> str:
        return self.info.name

    def image_ids(
        self, split: str | None = None, group: str | None = None, labelled: bool | None = None
    ) -> list[str]:
        """Image ids, optionally filtered by split, group and whether labels exist."""
        rows = self.index
        if split is not None:
            rows = rows[rows["split"] == split]
        if group is not None:
            rows = rows[rows["group"] == group]
        if labelled is not None:
            rows = rows[rows["has_labels"] == labelled]
        return rows["image_id"].tolist()

    @property
    def annotation(self) -> str:
        """What the shared evaluation scores against: ``labels`` or ``points``."""
        return self.info.annotation

    def evaluation_ids(self, split: str = "test") -> list[str]:
        """Images scored by the shared evaluation: labelled, complete annotations.

        For a ``points`` dataset: the images of ``split`` with a point file.
        """
        if self.annotation == "points":
            if "has_points" not in self.index.columns:
                raise InputError(self.root / "index.tsv", "points dataset without has_points")
            rows = self.index[(self.index["split"] == split) & self.index["has_points"]]
            return rows["image_id"].tolist()
        rows = self.index[
            (self.index["split"] == split) & self.index["has_labels"] & ~self.index["partial"]
        ]
        return rows["image_id"].tolist()

    def row(self, image_id: str) -> pd.Series:
        rows = self.index[self.index["image_id"] == image_id]
        if rows.empty:
            raise KeyError(f"{self.root}: no image {image_id!r}")
        return rows.iloc[0]

    def image_path(self, image_id: str) -> Path:
        return self.root / "images" / f"{image_id}.tif"

    def labels_path(self, image_id: str) -> Path:
        return self.root / "labels" / f"{image_id}.tif"

    def points_path(self, image_id: str) -> Path:
        return self.root / "points" / f"{image_id}.csv"

    def points(self, image_id: str) -> np.ndarray:
        """Point annotations (N, 2) = (y, x) of one image, checked against its size."""
        path = self.points_path(image_id)
        if not path.is_file():
            raise InputError(path, "point annotations missing for this image")
        try:
            frame = pd.read_csv(path)
        except (ValueError, pd.errors.ParserError) as exc:
            raise InputError(path, f"cannot be read as a y,x CSV ({exc})") from exc
        if tuple(frame.columns) != POINT_COLUMNS:
            raise InputError(path, f"expected the columns y,x, found {list(frame.columns)}")
        if not all(pd.api.types.is_integer_dtype(t) for t in frame.dtypes) and len(frame):
            raise InputError(path, "y and x must be integer pixel coordinates")
        row = self.row(image_id)
        return check_points(
            frame.to_numpy(dtype=np.int64), (int(row["height"]), int(row["width"])), path
        )

    def image(self, image_id: str) -> np.ndarray:
        return read_image(self.image_path(image_id))

    def labels(self, image_id: str) -> np.ndarray:
        path = self.labels_path(image_id)
        if not path.is_file():
            raise InputError(path, "ground truth missing for this image")
        return read_labels(path)

    def objects(self) -> pd.DataFrame:
        """Per-object categories (empty frame if the dataset has none)."""
        path = self.root / "objects.tsv"
        if not path.is_file():
            return pd.DataFrame(columns=["image_id", "label", "category"])
        return pd.read_csv(path, sep="\t", dtype={"image_id": str})
