"""Smooth random fields, granular texture and uneven illumination."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import find_boundaries


def smooth_field(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Gaussian random field with correlation length ``sigma`` px, zero mean, unit std.

    Large scales are drawn on a coarse grid and interpolated, so cost is independent of sigma.
    """
    factor = max(1, int(sigma // 4))
    coarse_shape = tuple(s // factor + 3 for s in shape)
    noise = ndi.gaussian_filter(rng.standard_normal(coarse_shape), sigma / factor, mode="wrap")
    if factor > 1:
        noise = ndi.zoom(noise, factor, order=1)
    field = noise[: shape[0], : shape[1]]
    std = field.std()
    return (field - field.mean()) / (std if std > 0 else 1.0)


def illumination(rng: np.random.Generator, shape: tuple[int, int], strength: float) -> np.ndarray:
    """Multiplicative illumination: a random linear ramp plus a broad smooth field."""
    yy, xx = np.meshgrid(np.linspace(-1, 1, shape[0]), np.linspace(-1, 1, shape[1]), indexing="ij")
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xx + np.sin(angle) * yy
    broad = smooth_field(rng, shape, max(shape) / 4)
    vignette = 1 - 0.5 * (xx**2 + yy**2) / 2
    return np.clip((1 + strength * (0.5 * ramp + 0.5 * broad)) * vignette**strength, 0.2, None)


def granules(
    rng: np.random.Generator, shape: tuple[int, int], density: float, sigma: float
) -> np.ndarray:
    """Sparse blurred spots (chromatin granules, cytoplasmic granules), max about 1."""
    spots = (rng.random(shape) < density).astype(np.float64)
    spots *= rng.uniform(0.3, 1.0, shape)
    blurred = ndi.gaussian_filter(spots, sigma)
    return blurred / (blurred.max() if blurred.max() > 0 else 1.0)


def dome(labels: np.ndarray, width: float) -> np.ndarray:
    """Per-object profile rising from 0.7 at the rim to 1 inside (rounded 3-D objects)."""
    inner = (labels > 0) & ~find_boundaries(labels, mode="inner")
    distance = ndi.distance_transform_edt(inner)
    return np.where(labels > 0, 0.7 + 0.3 * (1 - np.exp(-distance / width)), 0.0)


def per_object(labels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Map each label to ``values[label]`` (``values[0]`` for background)."""
    return np.asarray(values)[labels]
