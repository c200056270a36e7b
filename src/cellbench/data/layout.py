"""The prepared dataset layout shared by synthetic generators and real-data preparation.

Every dataset, synthetic or real, is brought into this layout, so all downstream rules
are identical for both::

    <root>/
      dataset.json          DatasetInfo: name, domain, channels, scale, source, seed, ...
      index.tsv             one row per image: image_id, split, group, has_labels, partial,
                            height, width (+ optional dataset-specific columns)
      images/<image_id>.tif image, 2-D grey (Y, X) or channels-last (Y, X, C), dtype as acquired
      labels/<image_id>.tif uint16/uint32 instance labels, 0 = background, consecutive from 1
      objects.tsv           optional per-object table: image_id, label, category

``split`` is one of ``train``, ``val``, ``test``; ``group`` is the dataset's own partition
(DSB cell type CT1..CT7, CTC sequence 01/02, ...). ``partial`` flags annotations that do
not cover every object (they are used for training only, never for scores).
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
    extra: dict[str, Any] = field(default_factory=dict)

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
        **extra: Any,
    ) -> None:
        """Add one image (and its instance labels, if annotated)."""
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

    def evaluation_ids(self, split: str = "test") -> list[str]:
        """Images scored by the shared evaluation: labelled, complete annotations."""
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
