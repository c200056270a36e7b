"""Image preparation shared by training, the baselines and inference.

RGB(A)/grey images of any integer dtype or floats in [0, 1] → float32 (H, W, C) in [ε, 1]
via (1 − ε)·x + ε (the authors' code, ε = 0.05). An alpha channel (CoNSeP PNGs are RGBA) is
dropped; integer images are divided by their dtype's maximum (8- and 16-bit alike).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cellbench.errors import InputError


def to_unit_rgb(image: np.ndarray, source: str | Path | None = None) -> np.ndarray:
    """Float32 (H, W, C) in [0, 1] with C ∈ {1, 3}; alpha dropped; clear errors otherwise."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 3, 4):
        raise InputError(
            source, f"expected a grey, RGB or RGBA image (H, W[, C]), got shape {image.shape}"
        )
    if image.shape[-1] == 4:
        image = image[..., :3]
    if np.issubdtype(image.dtype, np.integer):
        if np.issubdtype(image.dtype, np.signedinteger) and image.min() < 0:
            raise InputError(source, f"negative intensities in a {image.dtype} image")
        return (image.astype(np.float32) / np.iinfo(image.dtype).max).astype(np.float32)
    if np.issubdtype(image.dtype, np.floating):
        if not np.all(np.isfinite(image)) or image.min() < 0 or image.max() > 1:
            raise InputError(source, "float images must be finite and within [0, 1]")
        return image.astype(np.float32)
    raise InputError(source, f"unsupported image dtype {image.dtype}")


def prepare_image(
    image: np.ndarray, epsilon: float, source: str | Path | None = None
) -> np.ndarray:
    """(1 − ε)·x + ε of :func:`to_unit_rgb` (the network input and the attended image)."""
    return (1 - epsilon) * to_unit_rgb(image, source) + epsilon


def grey(image: np.ndarray) -> np.ndarray:
    """Luma (ITU-R 601) of an (H, W, 3) image; (H, W, 1) is returned as (H, W)."""
    if image.shape[-1] == 1:
        return image[..., 0]
    return image @ np.array([0.299, 0.587, 0.114], dtype=image.dtype)
