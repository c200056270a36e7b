"""Input handling of cellulus (paper 001, §4.1 and Appendix A): normalisation, crops, batches."""

from __future__ import annotations

import numpy as np

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.methods.predict import rescale_image, split_image_ids

IntensityRange = tuple[list[float], list[float]]
"""Per-channel intensities mapped to 0 and to 1."""


def _channels_first(image: np.ndarray) -> np.ndarray:
    """float32 (C, H, W) of a (H, W) or channels-last (H, W, C) image."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3:
        raise InputError(None, f"expected a 2-D or channels-last image, got shape {image.shape}")
    return image.astype(np.float32).transpose(2, 0, 1)


def normalise(
    image: np.ndarray,
    low: float = 1.0,
    high: float = 99.8,
    fixed: IntensityRange | None = None,
) -> np.ndarray:
    """Per-image, per-channel percentile normalisation (§4.1): p_low → 0, p_high → 1; with
    ``fixed``, the given per-channel intensities instead (:func:`intensity_range`).

    Returns float32 (C, H, W) for a (H, W) or channels-last (H, W, C) image. Values are not
    clipped (as in the paper's code); a constant channel becomes 0.
    """
    data = _channels_first(image)
    out = np.empty_like(data)
    for channel, plane in enumerate(data):
        if fixed is None:
            lo, hi = np.percentile(plane, [low, high])
        else:
            lo, hi = fixed[0][channel], fixed[1][channel]
        out[channel] = (plane - lo) / (hi - lo) if hi > lo else 0.0
    return out


def intensity_range(
    images: list[np.ndarray], low: float = 1.0, high: float = 99.8
) -> IntensityRange:
    """Per-channel ``low`` and ``high`` percentiles over every pixel of ``images`` (normalisation
    "dataset": a test image whose brightest objects are dimmer keeps the training scale)."""
    data = [_channels_first(image) for image in images]
    planes = np.concatenate([d.reshape(d.shape[0], -1) for d in data], axis=1)
    los, his = np.percentile(planes, [low, high], axis=1)
    return [float(v) for v in los], [float(v) for v in his]


def load_split(
    dataset_root: str,
    split: str,
    scale: float,
    low: float = 1.0,
    high: float = 99.8,
    normalisation: str = "image",
) -> tuple[list[str], list[np.ndarray], IntensityRange]:
    """Image ids and normalised (C, H, W) images of one split, resized by ``scale``, and the
    split's intensity range (which normalised them with ``normalisation`` "dataset"; with
    "image" each image is normalised by its own percentiles)."""
    dataset = PreparedDataset(dataset_root)
    ids = split_image_ids(dataset, split)
    raw = [rescale_image(dataset.image(i), scale) for i in ids]
    fixed = intensity_range(raw, low, high)
    if normalisation == "image":
        return ids, [normalise(image, low, high) for image in raw], fixed
    return ids, [normalise(image, fixed=fixed) for image in raw], fixed


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
