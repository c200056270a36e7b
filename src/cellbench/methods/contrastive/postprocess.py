"""Confidence map → instance labels (paper §3.2 "Experiments" and the authors' code).

Threshold at p (0.5), then opening r=3, closing r=3, opening r=1, closing r=1 with disk
structuring elements, then 4-connected components as instances.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage.morphology import closing, disk, opening


def clean_mask(mask: np.ndarray, first_radius: int = 3, second_radius: int = 1) -> np.ndarray:
    """Opening and closing at ``first_radius``, then at ``second_radius`` (0 skips a pair)."""
    mask = np.asarray(mask, dtype=bool)
    for radius in (first_radius, second_radius):
        if radius > 0:
            footprint = disk(radius)
            mask = closing(opening(mask, footprint), footprint)
    return mask


def instances(mask: np.ndarray) -> np.ndarray:
    """4-connected components of a binary mask as uint32 labels 1..n."""
    labels, _ = ndi.label(mask)
    return labels.astype(np.uint32)


def confidence_to_labels(
    confidence: np.ndarray, threshold: float, first_radius: int, second_radius: int
) -> np.ndarray:
    """Threshold, clean and label one (H, W) confidence map."""
    return instances(clean_mask(confidence > threshold, first_radius, second_radius))
