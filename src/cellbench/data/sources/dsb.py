"""DSB 2018 (BBBC038) stage 1: per-nucleus PNG masks and the run-length encoded solution.

Overlap rule: a pixel claimed by several masks goes to the mask with the smallest area
(ties: the first mask in file-name order), so a small nucleus overlapping a larger one
keeps its pixels; masks that lose every pixel are dropped and logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError
from cellbench.io import read_image

log = logging.getLogger(__name__)


def rle_decode(encoded: str, shape: tuple[int, int]) -> np.ndarray:
    """Decode one Kaggle run-length string (1-based, column-major) into a boolean mask."""
    height, width = shape
    flat = np.zeros(height * width, dtype=bool)
    values = [int(v) for v in str(encoded).split()]
    if len(values) % 2:
        raise ValueError(f"odd number of values in run-length string {encoded!r}")
    for start, length in zip(values[0::2], values[1::2], strict=True):
        if start < 1 or start - 1 + length > flat.size:
            raise ValueError(f"run {start} {length} outside an image of {height}x{width}")
        flat[start - 1 : start - 1 + length] = True
    return flat.reshape((width, height)).T


def merge_masks(masks: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Merge boolean masks into one label image (smallest mask wins an overlap).

    Returns the labels (consecutive 1..n in input order of the surviving masks) and the
    number of pixels that were claimed by more than one mask.
    """
    if not masks:
        raise ValueError("no masks")
    shape = masks[0].shape
    areas = [int(m.sum()) for m in masks]
    owner = np.zeros(shape, dtype=np.int64)  # index+1 of the winning mask
    owner_area = np.full(shape, np.iinfo(np.int64).max)
    claims = np.zeros(shape, dtype=np.int32)
    for i, mask in enumerate(masks):
        claims += mask
        win = mask & (areas[i] < owner_area)
        owner[win] = i + 1
        owner_area[win] = areas[i]
    kept = np.unique(owner[owner > 0])
    lut = np.zeros(len(masks) + 1, dtype=np.uint32)
    lut[kept] = np.arange(1, kept.size + 1)
    dtype = np.uint16 if kept.size < 65535 else np.uint32
    return lut[owner].astype(dtype), int((claims > 1).sum())


def read_rgb(path: Path) -> np.ndarray:
    """A DSB image as RGB uint8 (RGBA: first 3 channels; grey: replicated)."""
    image = read_image(path)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = image[..., :3]
    if image.dtype != np.uint8:
        image = (image / max(1, image.max()) * 255).astype(np.uint8)
    return np.ascontiguousarray(image)


def find_image_dirs(root: Path) -> list[Path]:
    """Folders ``<id>/`` holding ``images/<id>.png`` below ``root`` (sorted by id)."""
    found = {p.parent.parent for p in rglob(root, "images/*.png") if p.stem == p.parent.parent.name}
    return sorted(found, key=lambda p: p.name)


def origin_of(folder: Path) -> str | None:
    """``stage1_train``/``stage1_test`` from the folder's path (an archive's top folder)."""
    for part in reversed(folder.parts[:-1]):
        for origin in ("stage1_train", "stage1_test"):
            if part.lower().startswith(origin):
                return origin
    return None


def _has_masks(folder: Path) -> bool:
    return any((folder / "masks").glob("*.png"))


def missing_parts(root: Path) -> list[str]:
    """What the folder lacks of the complete stage 1 data (empty if nothing; relative paths).

    Every image needs labels: ``masks/*.png`` (stage1_train) or rows in
    ``stage1_solution.csv`` (stage1_test); a missing image of the solution means a
    missing ``stage1_test``.
    """
    folders = find_image_dirs(root)
    if not folders:
        return []
    missing = []
    unmasked = [f for f in folders if not _has_masks(f)]
    train = [f for f in unmasked if origin_of(f) == "stage1_train"]
    if train:
        missing.append(
            f"{len(train)} stage1_train image folder(s) without masks/*.png "
            f"(e.g. {train[0].relative_to(root)})"
        )
    solutions = rglob(root, "stage1_solution.csv")
    if not solutions:
        missing.append(
            "no stage1_solution.csv: the stage1_test images would have no labels "
            "and the test split would change"
        )
        return missing
    solved = read_solution(solutions[0])
    unsolved = [f for f in unmasked if f not in train and f.name not in solved]
    if unsolved:
        missing.append(
            f"{len(unsolved)} image folder(s) without masks/ and without rows in "
            f"stage1_solution.csv (e.g. {unsolved[0].relative_to(root)})"
        )
    absent = sorted(set(solved) - {f.name for f in folders})
    if absent:
        missing.append(
            f"{len(absent)} image(s) of stage1_solution.csv not found (e.g. {absent[0]}): "
            "is stage1_test missing?"
        )
    return missing


def read_solution(path: Path) -> dict[str, tuple[tuple[int, int], list[str]]]:
    """stage1_solution.csv: image id -> ((height, width), run-length strings)."""
    try:
        table = pd.read_csv(path, dtype={"ImageId": str, "EncodedPixels": str})
    except Exception as exc:
        raise InputError(path, f"cannot be read as CSV ({exc})") from exc
    needed = {"ImageId", "EncodedPixels", "Height", "Width"}
    if needed - set(table.columns):
        raise InputError(path, f"missing columns {sorted(needed - set(table.columns))}")
    out: dict[str, tuple[tuple[int, int], list[str]]] = {}
    for image_id, rows in table.groupby("ImageId", sort=True):
        shape = (int(rows["Height"].iloc[0]), int(rows["Width"].iloc[0]))
        out[str(image_id)] = (shape, [str(e) for e in rows["EncodedPixels"].dropna()])
    return out


def load_image(folder: Path, solution: dict | None) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Image, labels (or None) and origin (``stage1_train``/``stage1_test``) of one folder."""
    image_id = folder.name
    image = read_rgb(folder / "images" / f"{image_id}.png")
    mask_files = sorted((folder / "masks").glob("*.png"))
    if mask_files:
        masks = [read_image(p) > 0 for p in mask_files]
        masks = [m[..., 0] if m.ndim == 3 else m for m in masks]
        origin = origin_of(folder) or "stage1_train"
    elif solution is not None and image_id in solution:
        shape, runs = solution[image_id]
        if shape != image.shape[:2]:
            raise InputError(folder, f"solution size {shape} differs from image {image.shape[:2]}")
        masks = [rle_decode(r, shape) for r in runs]
        origin = origin_of(folder) or "stage1_test"
    else:
        return image, None, origin_of(folder) or "stage1_test"
    labels, overlap = merge_masks(masks)
    dropped = len(masks) - int(labels.max())
    if overlap or dropped:
        log.info("%s: %d pixels claimed by 2+ masks, %d masks lost", image_id, overlap, dropped)
    return image, labels, origin
