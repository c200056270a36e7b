"""Normalised entropy of the cluster-size distribution (paper 000, Fig. 8)."""

from __future__ import annotations

import numpy as np


def cluster_sizes(labels: np.ndarray, k: int) -> np.ndarray:
    """Number of points in each of the k clusters (empty clusters count as 0)."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must lie in [0, {k}), got [{labels.min()}, {labels.max()}]")
    return np.bincount(labels, minlength=k)


def normalized_entropy(labels: np.ndarray, k: int) -> float:
    """H(p) / log(k) with p the relative cluster sizes; 1 = equal sizes, 0 = one cluster.

    Empty clusters contribute 0 (0 · log 0 = 0) but still count in k. For k = 1 the value is
    defined as 1.0 (a single cluster is trivially balanced).
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    sizes = cluster_sizes(labels, k)
    if sizes.sum() == 0:
        raise ValueError("no labels")
    if k == 1:
        return 1.0
    p = sizes[sizes > 0] / sizes.sum()
    return float(-(p * np.log(p)).sum() / np.log(k))
