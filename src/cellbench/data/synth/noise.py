"""Optics and camera: PSF blur, Poisson–Gaussian noise, conversion to integer images."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian PSF over the spatial axes (channels, if any, are blurred separately)."""
    if sigma <= 0:
        return image
    sigmas = (sigma, sigma) + (0,) * (image.ndim - 2)
    return ndi.gaussian_filter(image, sigmas)


def poisson_gaussian(
    rng: np.random.Generator, signal: np.ndarray, photons: float, read_noise: float
) -> np.ndarray:
    """Shot noise for ``photons`` per unit signal plus Gaussian read noise (same units)."""
    counts = rng.poisson(np.clip(signal, 0, None) * photons).astype(np.float64) / photons
    return counts + rng.normal(0.0, read_noise, signal.shape)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Clip values in [0, 1] to uint8 0–255."""
    return np.clip(np.round(image * 255), 0, 255).astype(np.uint8)


def to_uint16(image: np.ndarray) -> np.ndarray:
    """Clip to uint16 range and round."""
    return np.clip(np.round(image), 0, 65535).astype(np.uint16)


def grey_rgb(image: np.ndarray) -> np.ndarray:
    """A grey [0, 1] image as uint8 RGB with three equal channels (like DSB PNGs)."""
    grey = to_uint8(image)
    return np.repeat(grey[..., None], 3, axis=-1)
