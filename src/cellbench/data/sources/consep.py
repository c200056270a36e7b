"""CoNSeP (HoVer-Net): ``{Train,Test}/Images/*.png`` and ``Labels/*.mat`` with ``inst_map``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError

TYPES = {
    1: "other",
    2: "inflammatory",
    3: "healthy_epithelial",
    4: "malignant_epithelial",
    5: "fibroblast",
    6: "muscle",
    7: "endothelial",
}


def read_mat(path: Path) -> tuple[np.ndarray, dict[int, str]]:
    """Consecutive instance labels and per-label categories of one ``.mat`` file."""
    try:
        data = scipy.io.loadmat(path)
    except Exception as exc:
        raise InputError(path, f"cannot be read as a MATLAB file ({exc})") from exc
    if "inst_map" not in data:
        raise InputError(path, "no 'inst_map' variable (not a CoNSeP label file?)")
    inst = np.asarray(data["inst_map"]).astype(np.int64)
    ids = np.unique(inst[inst > 0])
    lut = np.zeros(int(inst.max()) + 1, dtype=np.uint32)
    lut[ids] = np.arange(1, ids.size + 1)
    categories: dict[int, str] = {}
    if "inst_type" in data:
        inst_type = np.asarray(data["inst_type"]).ravel()
        for old in ids:
            if old - 1 < inst_type.size:
                categories[int(lut[old])] = TYPES.get(int(inst_type[old - 1]), "other")
    return lut[inst].astype(np.uint16), categories


def find_pairs(root: Path) -> list[tuple[str, Path, Path]]:
    """(split, image, label) triples of ``Train``/``Test``."""
    pairs = []
    for mat in rglob(root, "Labels/*.mat"):
        image = mat.parent.parent / "Images" / f"{mat.stem}.png"
        if image.is_file():
            split = "test" if mat.parent.parent.name.lower() == "test" else "train"
            pairs.append((split, image, mat))
    if not pairs:
        raise InputError(root, "no CoNSeP Images/*.png with Labels/*.mat found")
    return pairs
