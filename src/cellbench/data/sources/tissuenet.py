"""TissueNet v1.x: ``tissuenet_v1.*_{train,val,test}.npz`` with X (N,Y,X,2), y (N,Y,X,2).

X channels are (nucleus, membrane); y channels are (whole-cell, nucleus) labels; the
prepared labels are the whole-cell ones. ``tissue_list`` (if present) gives the group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError

SPLITS = ("train", "val", "test")


def find_files(root: Path) -> dict[str, Path]:
    """Split -> npz file."""
    found = {}
    for split in SPLITS:
        hits = rglob(root, f"*_{split}.npz")
        if hits:
            found[split] = hits[0]
    if not found:
        raise InputError(root, "no TissueNet *_train.npz / *_val.npz / *_test.npz found")
    return found


def load_split(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images, whole-cell labels and tissue names of one split file."""
    try:
        data = np.load(path, allow_pickle=True)
        images, labels = data["X"], data["y"]
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"not a TissueNet npz with X and y ({exc})") from exc
    tissues = (
        [str(t) for t in data["tissue_list"]]
        if "tissue_list" in data.files
        else ["all"] * len(images)
    )
    return images, labels[..., 0], tissues
