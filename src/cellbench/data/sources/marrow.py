"""Bone-marrow dataset A of paper 002 (Kainz et al. 2015): manual download only.

Expected folder (docs/datasets.md): images ``*.png|*.tif|*.jpg|*.bmp``, optional instance
labels ``labels/<stem>.tif`` and optional ``objects.tsv`` (image_id, label, category) and
``images.tsv`` (image_id, image_label: normal/abnormal, split).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError

SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp")


def find_images(root: Path) -> list[Path]:
    """Images outside ``labels/`` folders."""
    images = sorted(
        p
        for p in rglob(root, "*")
        if p.suffix.lower() in SUFFIXES and "labels" not in p.parts and p.is_file()
    )
    if not images:
        raise InputError(root, "no bone-marrow images found (see docs/datasets.md, marrow-a)")
    return images


def read_table(path: Path) -> pd.DataFrame | None:
    """An optional TSV table (None if absent)."""
    return pd.read_csv(path, sep="\t", dtype={"image_id": str}) if path.is_file() else None
