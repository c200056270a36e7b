"""Bone-marrow dataset A of paper 002 (Kainz et al. 2015): manual download only.

Expected folder (docs/datasets.md), the published ``data/BM_GRAZ/`` layout: images
``*.png|*.tif|*.jpg|*.bmp`` (``source/``), nucleus dots ``annotations/<stem>.txt`` (a header
``<count> 3 0``, then one ``x y label`` row per nucleus centre, 0-based pixels), optional
instance labels ``labels/<stem>.tif``, ``objects.tsv`` (image_id, label, category) and
``images.tsv`` (image_id, image_label: normal/abnormal, split).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError

SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp")


def find_images(root: Path) -> list[Path]:
    """Images outside ``labels/`` folders."""
    images = sorted(
        p
        for p in rglob(root, "*")
        if p.suffix.lower() in SUFFIXES
        and not {"labels", "annotations"} & set(p.parts)
        and p.is_file()
    )
    if not images:
        raise InputError(root, "no bone-marrow images found (see docs/datasets.md, marrow-a)")
    return images


def read_table(path: Path) -> pd.DataFrame | None:
    """An optional TSV table (None if absent)."""
    return pd.read_csv(path, sep="\t", dtype={"image_id": str}) if path.is_file() else None


def find_dots(root: Path, image: Path) -> Path | None:
    """The dot file ``annotations/<stem>.txt`` of an image (beside or above it), or None."""
    for folder in (image.parent, image.parent.parent, root):
        path = folder / "annotations" / f"{image.stem}.txt"
        if path.is_file():
            return path
    return None


def read_dots(path: Path, shape: tuple[int, int]) -> np.ndarray:
    """Nucleus centres (N, 2) = (y, x) of a BM_GRAZ annotation file, checked against ``shape``.

    Format (Kainz et al. 2015 release): first line ``<count> 3 0``, then ``count`` rows
    ``x y label`` in 0-based pixel coordinates; the label column is not used.
    """
    try:
        lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be read as a dot annotation file ({exc})") from exc
    if not lines or len(lines[0]) != 3:
        raise InputError(path, "expected a first line '<count> 3 0' (BM_GRAZ dot annotations)")
    try:
        count = int(lines[0][0])
        rows = np.array([[int(v) for v in line] for line in lines[1:]], dtype=np.int64)
    except ValueError as exc:
        raise InputError(path, f"non-integer value in the dot annotations ({exc})") from exc
    if any(len(line) != 3 for line in lines[1:]):
        bad = next(i for i, line in enumerate(lines[1:], start=2) if len(line) != 3)
        raise InputError(path, f"line {bad}: expected 'x y label'")
    if len(rows) != count:
        raise InputError(path, f"header announces {count} dots, the file has {len(rows)}")
    dots = rows.reshape(-1, 3)[:, [1, 0]]
    outside = (dots < 0).any(axis=1) | (dots[:, 0] >= shape[0]) | (dots[:, 1] >= shape[1])
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise InputError(
            path,
            f"{int(outside.sum())} dot(s) outside the {shape[1]}x{shape[0]} image "
            f"(first: line {first + 2}, x={dots[first, 1]} y={dots[first, 0]})",
        )
    return dots


def default_test(images: list[Path], seed: int) -> set[str]:
    """Test image stems when ``images.tsv`` gives no split: 20 % (at least 1) drawn with ``seed``
    (a single image is a test image: there is nothing to train on anyway).

    Dataset A has no official split; ``images.tsv`` with a ``split`` column overrides this.
    """
    if len(images) < 2:
        return {path.stem for path in images}
    rng = np.random.default_rng(seed)
    n_test = max(1, round(0.2 * len(images)))
    return {images[int(i)].stem for i in rng.choice(len(images), size=n_test, replace=False)}
