"""Pairwise squared Euclidean distances (NumPy only), shared by neural gas and cellulus' mean-shift."""

from __future__ import annotations

import numpy as np


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) float64 squared Euclidean distances, accumulated one coordinate at a time.

    No (len(a), len(b), D) intermediate (~3x faster than broadcasting); for two coordinates equal
    bit for bit to ``((a[:, None] - b[None]) ** 2).sum(-1)`` in float64.
    """
    dist = np.zeros((a.shape[0], b.shape[0]))
    for c in range(a.shape[1]):
        dist += (a[:, c, None] - b[None, :, c]) ** 2
    return dist
