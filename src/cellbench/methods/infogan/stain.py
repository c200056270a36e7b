"""Colour handling of paper 002's nuclei segmentation (Sec. III-B1): Reinhard normalisation in
Ruderman lαβ space and Macenko stain separation, on the 0–255 scales HistomicsTK uses (the
authors' toolkit), so that the paper's constants (lαβ target [8.98, 0.08, 0.02] ± [0.64, 0.11,
0.03], magnitude threshold 16, threshold 120) keep their meaning.
"""

from __future__ import annotations

import numpy as np

from cellbench.errors import InputError

# Ruderman et al. (1998) RGB -> LMS and log-LMS -> lαβ (Reinhard et al. 2001, eq. 4 and 6).
RGB_TO_LMS = np.array(
    [[0.3811, 0.5783, 0.0402], [0.1967, 0.7244, 0.0782], [0.0241, 0.1288, 0.8444]]
)
LMS_TO_LAB = np.diag([1 / np.sqrt(3), 1 / np.sqrt(6), 1 / np.sqrt(2)]) @ np.array(
    [[1.0, 1.0, 1.0], [1.0, 1.0, -2.0], [1.0, -1.0, 0.0]]
)
# Ruifrok & Johnston (2001) H&E optical-density directions, used only to tell H from E.
HAEMATOXYLIN = np.array([0.65, 0.70, 0.29]) / np.linalg.norm([0.65, 0.70, 0.29])
EOSIN = np.array([0.07, 0.99, 0.11]) / np.linalg.norm([0.07, 0.99, 0.11])
# Optical density on HistomicsTK's 0-255 "SDA" scale: I_0 = 256 with +1 offset.
I0 = 256.0


def check_rgb(image: np.ndarray, source: object = None) -> np.ndarray:
    """The image as float64 (Y, X, 3) in 0–255; grey-scale or alpha input is an error."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] != 3:
        what = "grey-scale" if image.ndim == 2 else f"shape {image.shape}"
        if image.ndim == 3 and image.shape[-1] == 4:
            what = "RGBA (alpha channel)"
        raise InputError(source, f"expected an RGB H&E image (Y, X, 3), got {what}")
    if image.dtype != np.uint8:
        raise InputError(source, f"expected uint8 RGB, got {image.dtype}")
    return image.astype(np.float64)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """Ruderman lαβ of an RGB image on the 0–255 scale (natural log, zeros -> machine eps)."""
    lms = rgb @ RGB_TO_LMS.T
    lms = np.log(np.maximum(lms, np.finfo(np.float64).eps))
    return lms @ LMS_TO_LAB.T


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_lab` (unclipped float RGB)."""
    lms = np.exp(lab @ np.linalg.inv(LMS_TO_LAB).T)
    return lms @ np.linalg.inv(RGB_TO_LMS).T


def reinhard(
    rgb: np.ndarray, target_mean: tuple[float, ...], target_std: tuple[float, ...]
) -> np.ndarray:
    """Reinhard et al. (2001) colour transfer: per lαβ channel, standardise the image and
    rescale to the target mean/std; returns uint8 RGB."""
    lab = rgb_to_lab(np.asarray(rgb, np.float64))
    mean = lab.reshape(-1, 3).mean(0)
    std = lab.reshape(-1, 3).std(0)
    std = np.where(std > 0, std, 1.0)
    lab = (lab - mean) / std * np.asarray(target_std) + np.asarray(target_mean)
    return np.clip(np.round(lab_to_rgb(lab)), 0, 255).astype(np.uint8)


def optical_density(rgb: np.ndarray) -> np.ndarray:
    """HistomicsTK ``rgb_to_sda``: −log((I+1)/256)·255/log 256, 0 (white) .. 255 (black)."""
    return -np.log((np.asarray(rgb, np.float64) + 1) / I0) * 255 / np.log(I0)


def macenko_stains(
    rgb: np.ndarray, min_magnitude: float = 16.0, percentile: float = 1.0
) -> np.ndarray:
    """Macenko et al. (2009) stain matrix, columns (haematoxylin, eosin, complement).

    Optical densities with magnitude below ``min_magnitude`` (0–255 scale) are ignored; the
    rest are projected on the plane of the two leading singular vectors and the stains are the
    directions at the ``percentile`` and 100 − ``percentile`` angle percentiles. Which of the
    two is haematoxylin is decided by the stain vectors themselves (the one closer to the
    Ruifrok H direction relative to E), not by their order.
    """
    od = optical_density(rgb).reshape(-1, 3)
    od = od[np.linalg.norm(od, axis=1) >= min_magnitude]
    if len(od) < 2:
        raise InputError(None, "too few stained pixels for Macenko stain separation")
    basis = np.linalg.svd(od.T, full_matrices=False)[0][:, :2]
    basis *= np.sign(basis.sum(0, keepdims=True) + 1e-12)  # make both axes point into OD > 0
    proj = od @ basis
    angles = np.arctan2(proj[:, 1], proj[:, 0])
    lo, hi = np.percentile(angles, [percentile, 100 - percentile])
    stains = [basis @ np.array([np.cos(a), np.sin(a)]) for a in (lo, hi)]
    stains = [s / np.linalg.norm(s) for s in stains]
    score = [s @ HAEMATOXYLIN - s @ EOSIN for s in stains]
    h, e = (stains[0], stains[1]) if score[0] >= score[1] else (stains[1], stains[0])
    complement = np.cross(h, e)
    complement /= np.linalg.norm(complement)
    return np.stack([h, e, complement], axis=1)


def deconvolve(rgb: np.ndarray, stains: np.ndarray) -> np.ndarray:
    """Stain intensity images (Y, X, 3) in 0–255 (255 = no stain), HistomicsTK
    ``color_deconvolution``: OD = stains @ concentrations, each concentration mapped back to
    an intensity 256^(1 − c/255) − 1."""
    od = optical_density(rgb)
    conc = od @ np.linalg.inv(stains).T
    return np.clip(I0 ** (1 - conc / 255) - 1, 0, 255)
