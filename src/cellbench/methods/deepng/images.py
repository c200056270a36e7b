"""Image normalisation shared by training and inference: RGB float32 in [0, 1]."""

from __future__ import annotations

import numpy as np
import torch


def to_rgb_float(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1]: integers divided by their dtype maximum, floats min–max
    scaled; grey images are repeated to 3 channels, alpha/extra channels dropped."""
    image = np.asarray(image)
    if np.issubdtype(image.dtype, np.integer):
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
