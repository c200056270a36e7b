"""Image normalisation shared by training and inference: RGB float32 in [0, 1]."""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

Normalization = Literal["dtype", "percentile"]
PERCENTILES = (1.0, 99.8)


def to_rgb_float(image: np.ndarray, normalization: Normalization = "dtype") -> np.ndarray:
    """(H, W, 3) float32 in [0, 1]; grey images are repeated to 3 channels, alpha/extra
    channels dropped.

    ``dtype``: integers divided by their dtype maximum, floats min–max scaled.
    ``percentile``: the 1st / 99.8th percentile over all colour channels of the image → 0 / 1,
    clipped to [0, 1] (one mapping for all channels keeps the colours; the paper is silent, see
    docs/deviations.md): dim fluorescence images (nuclei at 20/255) get the contrast of bright ones.
    """
    image = np.asarray(image)
    if normalization == "percentile":
        colour = image[..., :3] if image.ndim == 3 else image
        low, high = np.percentile(colour, PERCENTILES)
        out = (image.astype(np.float32) - np.float32(low)) / np.float32(max(high - low, 1e-6))
        out = np.clip(out, 0.0, 1.0)
    elif np.issubdtype(image.dtype, np.integer):
        out = image.astype(np.float32) / float(np.iinfo(image.dtype).max)
    else:
        out = image.astype(np.float32)
        low, high = float(out.min()), float(out.max())
        out = (out - low) / (high - low) if high > low else np.zeros_like(out)
    if out.ndim == 2:
        out = np.repeat(out[..., None], 3, axis=-1)
    elif out.shape[-1] == 1:
        out = np.repeat(out, 3, axis=-1)
    elif out.shape[-1] == 2:
        out = np.concatenate([out, np.zeros_like(out[..., :1])], axis=-1)
    return np.ascontiguousarray(out[..., :3])


def to_tensor_batch(images: list[np.ndarray]) -> torch.Tensor:
    """Stack (H, W, 3) float arrays into an (N, 3, H, W) float32 tensor."""
    return torch.from_numpy(np.stack(images).transpose(0, 3, 1, 2).copy())
