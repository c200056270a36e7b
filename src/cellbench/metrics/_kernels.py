"""Compiled single-pass kernels for the contingency table (numba, compiled on first use)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def present_index(labels: np.ndarray, max_label: int) -> tuple[np.ndarray, int]:
    """Lookup table label → 1..n over the labels present (0 stays 0), and n."""
    lut = np.zeros(max_label + 1, np.int32)
    for i in range(labels.size):
        lut[labels[i]] = 1
    n = 0
    for v in range(1, max_label + 1):
        if lut[v]:
            n += 1
            lut[v] = n
    lut[0] = 0
    return lut, n


@numba.njit(cache=True, nogil=True)
def pair_table(
    g: np.ndarray, p: np.ndarray, lut_g: np.ndarray, lut_p: np.ndarray, n_g: int, n_p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-empty cells (gt index, pred index, count) of the (n_g+1) × (n_p+1) table."""
    table = np.zeros((n_g + 1, n_p + 1), np.int64)
    for i in range(g.size):
        table[lut_g[g[i]], lut_p[p[i]]] += 1
    n = 0
    for r in range(n_g + 1):
        for c in range(n_p + 1):
            if table[r, c]:
                n += 1
    rows = np.empty(n, np.int64)
    cols = np.empty(n, np.int64)
    counts = np.empty(n, np.int64)
    k = 0
    for r in range(n_g + 1):
        for c in range(n_p + 1):
            if table[r, c]:
                rows[k], cols[k], counts[k] = r, c, table[r, c]
                k += 1
    return rows, cols, counts
