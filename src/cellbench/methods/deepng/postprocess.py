"""Watershed post-processing of the 3-class softmax (paper 000, Section II-C).

Input: softmax probabilities (3, H, W) for background, cell, cell border. With the paper's
thresholds:

* seeds (one marker per connected component): P(cell) > 0.8 — "cell and not cell border";
* background marker: cell likelihood < 0.2;
* height map: the cell likelihood binarised at 0.3 (0 inside, 1 outside), flooded from the
  markers by the watershed;
* instances whose mean cell likelihood is < 0.6 are set to background.

"Cell likelihood" for the background marker, the height map and the mean filter is
P(cell) + P(border) = 1 − P(background) (the foreground map); the seeds use P(cell) alone, as the
paper requires "cell and not cell border" (docs/deviations.md).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import relabel_sequential, watershed

from cellbench.methods.deepng.config import PostprocessConfig


def postprocess(probabilities: np.ndarray, cfg: PostprocessConfig | None = None) -> np.ndarray:
    """Instance labels (uint32, 0 = background, consecutive) from (3, H, W) probabilities."""
    cfg = cfg or PostprocessConfig()
    if probabilities.ndim != 3 or probabilities.shape[0] != 3:
        raise ValueError(f"expected (3, H, W) probabilities, got {probabilities.shape}")
    cell = probabilities[1]
    foreground = probabilities[1] + probabilities[2]
    seeds, n_seeds = ndi.label(cell > cfg.seed_threshold)
    if n_seeds == 0:
        return np.zeros(cell.shape, dtype=np.uint32)
    markers = seeds.astype(np.int64)
    background_label = n_seeds + 1
    markers[(foreground < cfg.background_threshold) & (markers == 0)] = background_label
    height = (foreground <= cfg.height_threshold).astype(np.float32)
    labels = watershed(height, markers)
    labels[labels == background_label] = 0
    if labels.max() > 0:
        ids = np.arange(1, n_seeds + 1)
        means = ndi.mean(foreground, labels=labels, index=ids)
        drop = ids[np.asarray(means) < cfg.min_mean_probability]
        labels[np.isin(labels, drop)] = 0
    return relabel_sequential(labels)[0].astype(np.uint32)
