"""Input handling of cellulus (paper 001, §4.1 and Appendix A): normalisation, crops, batches."""

from __future__ import annotations

import numpy as np

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.methods.predict import rescale_image, split_image_ids


def normalise(image: np.ndarray, low: float = 1.0, high: float = 99.8) -> np.ndarray:
    """Per-image, per-channel percentile normalisation (§4.1): p_low → 0, p_high → 1.

    Returns float32 (C, H, W) for a (H, W) or channels-last (H, W, C) image. Values are not
    clipped (as in the paper's code); a constant channel becomes 0.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3:
        raise InputError(None, f"expected a 2-D or channels-last image, got shape {image.shape}")
    data = image.astype(np.float32).transpose(2, 0, 1)
    out = np.empty_like(data)
    for channel, plane in enumerate(data):
        lo, hi = np.percentile(plane, [low, high])
        out[channel] = (plane - lo) / (hi - lo) if hi > lo else 0.0
    return out


def load_split(
    dataset_root: str, split: str, scale: float, low: float = 1.0, high: float = 99.8
) -> tuple[list[str], list[np.ndarray]]:
    """Image ids and normalised (C, H, W) images of one split, resized by ``scale``."""
    dataset = PreparedDataset(dataset_root)
    ids = split_image_ids(dataset, split)
    images = [normalise(rescale_image(dataset.image(i), scale), low, high) for i in ids]
    return ids, images


def random_crop(image: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Uniformly placed ``size``×``size`` crop of a (C, H, W) image (reflect-padded if smaller)."""
    _, height, width = image.shape
    pad_y, pad_x = max(0, size - height), max(0, size - width)
    if pad_y or pad_x:
        mode = "reflect" if pad_y < height and pad_x < width else "symmetric"
        image = np.pad(
            image,
            ((0, 0), (pad_y // 2, pad_y - pad_y // 2), (pad_x // 2, pad_x - pad_x // 2)),
            mode=mode,
        )
        _, height, width = image.shape
    y = int(rng.integers(0, height - size + 1))
    x = int(rng.integers(0, width - size + 1))
    return image[:, y : y + size, x : x + size]


def random_batch(
    images: list[np.ndarray], batch_size: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """(B, C, size, size) float32 batch: each crop from a uniformly chosen image (Appendix A)."""
    picks = rng.integers(0, len(images), size=batch_size)
    return np.stack([random_crop(images[i], size, rng) for i in picks]).astype(np.float32)
