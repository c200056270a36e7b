"""Augmentations of paper 000, Section II-C.

Each with its own probability (paper: 0.5): random colour-channel permutation, colour inversion,
rotation by a random multiple of 90°, flips along the vertical and/or horizontal axis; random
scaling by a factor in [0.5, 2] with probability 0.25. Images are float32 (H, W, 3) in [0, 1];
a target map (class indices) is transformed geometrically alongside (nearest neighbour).
"""

from __future__ import annotations

import numpy as np
from skimage.transform import resize

from cellbench.methods.deepng.config import AugmentConfig


def augment(
    image: np.ndarray,
    target: np.ndarray | None,
    rng: np.random.Generator,
    cfg: AugmentConfig | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Apply the random augmentations; returns new arrays (inputs are not modified)."""
    cfg = cfg or AugmentConfig()
    image = np.asarray(image, dtype=np.float32)
    if rng.random() < cfg.p_channel_swap:
        image = image[..., rng.permutation(image.shape[-1])]
    if rng.random() < cfg.p_invert:
        image = 1.0 - image
    if rng.random() < cfg.p_rotate:
        turns = int(rng.integers(1, 4))
        image = np.rot90(image, turns, axes=(0, 1))
        target = None if target is None else np.rot90(target, turns)
    if rng.random() < cfg.p_flip:
        # vertical and/or horizontal: one of the three non-trivial combinations
        axes = [(0,), (1,), (0, 1)][int(rng.integers(0, 3))]
        image = np.flip(image, axis=axes)
        target = None if target is None else np.flip(target, axis=axes)
    if rng.random() < cfg.p_scale:
        factor = float(rng.uniform(cfg.scale_min, cfg.scale_max))
        shape = (max(1, round(image.shape[0] * factor)), max(1, round(image.shape[1] * factor)))
        image = resize(image, shape + image.shape[2:], order=1, anti_aliasing=factor < 1)
        if target is not None:
            target = resize(target, shape, order=0, preserve_range=True, anti_aliasing=False)
            target = target.astype(np.uint8)
    image = np.ascontiguousarray(image, dtype=np.float32)
    return image, None if target is None else np.ascontiguousarray(target)


def random_crop(
    image: np.ndarray, target: np.ndarray | None, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray | None]:
    """Random size×size crop; smaller images are zero-padded (bottom/right) first."""
    pad_y, pad_x = max(0, size - image.shape[0]), max(0, size - image.shape[1])
    if pad_y or pad_x:
        image = np.pad(image, ((0, pad_y), (0, pad_x), (0, 0)))
        if target is not None:
            target = np.pad(target, ((0, pad_y), (0, pad_x)))
    y = int(rng.integers(0, image.shape[0] - size + 1))
    x = int(rng.integers(0, image.shape[1] - size + 1))
    image = image[y : y + size, x : x + size]
    target = None if target is None else target[y : y + size, x : x + size]
    return image, target
