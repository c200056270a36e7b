"""Labelled cells of bone-marrow dataset A from the nu_gan authors' release (paper 002, Sec. IV-A).

Paper 002 labels 1995 cells of dataset A in four types (34 neutrophils, 751 myeloblasts, 495
monocytes, 715 lymphocytes); only the authors' release holds them (github bohu615/nu_gan,
README "Dataset A" Google Drive archive, folder ``data/cell_level_label/``): ``X_train.npy``,
``y_train.npy``, ``X_test.npy``, ``y_test.npy`` with X (N, 32, 32, 3) uint8 crops and y (N,)
integer labels 0-3. The train/test files are the authors' split (paper Sec. IV-C: 1596 / 399).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError

SPLITS = ("train", "test")
FILES = tuple(f"{kind}_{split}.npy" for split in SPLITS for kind in ("X", "y"))
CROP_SHAPE = (32, 32, 3)
N_CLASSES = 4
# Class sizes printed by the paper; the release does not say which label is which type.
PAPER_COUNTS = {34: "neutrophil", 751: "myeloblast", 495: "monocyte", 715: "lymphocyte"}


def find_file(root: Path, name: str) -> Path:
    """``root/name``, or the single file of that name below ``root`` (an unpacked release)."""
    if (root / name).is_file():
        return root / name
    found = rglob(root, name)
    if len(found) != 1:
        problem = "not found" if not found else f"found {len(found)} times ({found[0]}, ...)"
        raise InputError(
            root / name,
            f"{problem}: dataset marrow-a-cells needs {', '.join(FILES)} from the nu_gan "
            "authors' dataset-A archive (data/cell_level_label/; docs/datasets.md)",
        )
    return found[0]


def _load(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot be read as a NumPy .npy array ({exc})") from exc


def load_split(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Crops (N, 32, 32, 3) uint8 and labels (N,) int64 in 0..3 of one split, checked."""
    x_path, y_path = find_file(root, f"X_{split}.npy"), find_file(root, f"y_{split}.npy")
    crops = _load(x_path)
    if crops.dtype != np.uint8:
        raise InputError(x_path, f"cell crops must be uint8, got {crops.dtype}")
    if crops.ndim != 4 or crops.shape[1:] != CROP_SHAPE or not len(crops):
        raise InputError(
            x_path, f"expected N x 32 x 32 x 3 cell crops (N > 0), got shape {crops.shape}"
        )
    labels = _load(y_path)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise InputError(y_path, f"expected one label per crop (N,), got shape {labels.shape}")
    if len(labels) != len(crops):
        raise InputError(
            y_path, f"{len(labels)} labels but {len(crops)} crops in {x_path.name}: not aligned"
        )
    integral = np.issubdtype(labels.dtype, np.integer) or (
        np.issubdtype(labels.dtype, np.floating) and np.all(labels == np.round(labels))
    )
    if not integral:
        raise InputError(y_path, f"labels must be integers 0-3, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    bad = np.unique(labels[(labels < 0) | (labels >= N_CLASSES)])
    if bad.size:
        raise InputError(y_path, f"labels must lie in 0..{N_CLASSES - 1}, found {bad[:5].tolist()}")
    return crops, labels


def category_names(labels: np.ndarray) -> dict[int, str]:
    """Name of each label: the paper's cell type when the per-label counts of the whole set are
    exactly the paper's (34 / 751 / 495 / 715, all distinct), else ``class<i>``."""
    counts = np.bincount(labels, minlength=N_CLASSES)
    if sorted(counts.tolist()) == sorted(PAPER_COUNTS):
        return {i: PAPER_COUNTS[int(n)] for i, n in enumerate(counts)}
    return {i: f"class{i}" for i in range(N_CLASSES)}
