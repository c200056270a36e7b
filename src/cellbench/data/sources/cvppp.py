"""CVPPP LSC 2017 A1: ``plantNNN_rgb.png`` and palette ``plantNNN_label.png`` (index = leaf)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from skimage.segmentation import relabel_sequential

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError


def read_palette_labels(path: Path) -> np.ndarray:
    """Leaf labels from the palette indices of a label PNG (0 = background).

    An RGB(A) label PNG (a re-saved copy) is read by its colours: each distinct colour is one
    leaf, black is background; the colour code is formed in int64 (no uint8 overflow).
    """
    try:
        with Image.open(path) as image:
            if image.mode == "P":
                indices = np.asarray(image).astype(np.int64)
            elif image.mode in ("RGB", "RGBA"):
                rgb = np.asarray(image.convert("RGB")).astype(np.int64)
                indices = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
            else:
                raise InputError(path, f"expected a palette or RGB PNG, got mode {image.mode}")
    except OSError as exc:
        raise InputError(path, f"cannot be read as PNG ({exc})") from exc
    return relabel_sequential(indices)[0].astype(np.uint16)


def read_rgb(path: Path) -> np.ndarray:
    """RGB uint8 (alpha dropped)."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def find_plants(root: Path) -> list[tuple[str, Path, Path | None]]:
    """(plant id, rgb, label or None) of every ``*_rgb.png``."""
    plants = []
    found = rglob(root, "*_rgb.png")
    if any(p.parent.name == "A1" for p in found):  # the training archive also holds A2..A4
        found = [p for p in found if p.parent.name == "A1"]
    for rgb in found:
        stem = rgb.name[: -len("_rgb.png")]
        label = rgb.with_name(f"{stem}_label.png")
        plants.append((stem, rgb, label if label.is_file() else None))
    if not plants:
        raise InputError(root, "no CVPPP *_rgb.png found (expected A1/plantNNN_rgb.png)")
    return plants
