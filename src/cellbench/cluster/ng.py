"""Online (pattern-by-pattern) Neural Gas, paper 000, Section II-D, eqs. 1–5.

For every data point x (new random order each epoch) all centroids are ranked by their distance
to x, r(w_i, x) = 0 for the nearest, and moved by

    Δw_i = ε(t) · h · (x − w_i)          (eq. 1),   w_i ← w_i + Δw_i   (eq. 2)
    h    = exp(−r(w_i, x) / R(t))        (eq. 3)
    R(t) = R0 · (Rfin / R0) ** (t / T)   (eq. 4),   ε(t) = ε0 · (εfin / ε0) ** (t / T)   (eq. 5)

with t the epoch and T the number of epochs; paper values ε0 = 0.1, εfin = 1e-4, R0 = 2k,
Rfin = 0.001, T = 200. k-means (kMC) is the same update with R0 = Rfin = 0.001
(:mod:`cellbench.cluster.kmc`).

Two implementations give identical results: :func:`neural_gas_reference`, a plain per-sample
NumPy loop, and a compiled kernel (:mod:`cellbench.cluster.ng_kernel`, numba) used by
:func:`neural_gas`. The kernel is exact, not approximate: it skips only ranks whose
weight h underflows to exactly 0.0 in the working precision (for them the update of eq. 1 is
zero), so late in training, when R(t) is small, only the nearest few centroids are ranked and
moved. Distances are accumulated dimension by dimension in the same order in both
implementations, so ranks (stable order on ties) and updates agree bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellbench.cluster.ng_kernel import run_kernel
from cellbench.cluster.schedules import epoch_orders, epoch_schedule
from cellbench.distances import squared_distances

EPS0 = 0.1
EPS_FIN = 1e-4
R_FIN = 0.001
EPOCHS = 200
PRECISIONS = {"float64": np.dtype(np.float64), "float32": np.dtype(np.float32)}


@dataclass(frozen=True)
class ClusterResult:
    """Centroids (k, d), the label of every data point (nearest centroid) and the seed."""

    centroids: np.ndarray
    labels: np.ndarray
    seed: int

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])


def initial_centroids(data: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k distinct data points drawn at random (the seed fixes the initial positions)."""
    if not 1 <= k <= data.shape[0]:
        raise ValueError(f"k must be in [1, {data.shape[0]}] (number of points), got {k}")
    return data[rng.choice(data.shape[0], size=k, replace=False)].astype(np.float64, copy=True)


def assign(data: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid of every point (lowest index on ties)."""
    return np.argmin(squared_distances(np.asarray(data, np.float64), centroids), axis=1)


def neural_gas_reference(
    data: np.ndarray,
    centroids: np.ndarray,
    orders: np.ndarray,
    eps: np.ndarray,
    weights: np.ndarray,
) -> np.ndarray:
    """Plain per-sample NumPy implementation of eqs. 1–3 (the reference for tests/benchmarks).

    ``orders`` (T, n): data order per epoch; ``eps`` (T,): ε(t); ``weights`` (T, k): h(r) for
    rank r at epoch t (see :func:`cellbench.cluster.schedules.epoch_schedule`).
    Computes in the dtype of ``centroids`` (float64 or float32; the other arrays must share it).
    Returns the final centroids (a new array).
    """
    w = np.array(centroids, copy=True)
    k, dim = w.shape
    for t in range(orders.shape[0]):
        for i in orders[t]:
            x = data[i]
            dist = np.zeros(k, dtype=w.dtype)
            for c in range(dim):
                dist += (w[:, c] - x[c]) ** 2
            ranks = np.empty(k, dtype=np.int64)
            ranks[np.argsort(dist, kind="stable")] = np.arange(k)
            h = weights[t][ranks]
            w += (eps[t] * h)[:, None] * (x - w)
    return w


def neural_gas_kernel(
    data: np.ndarray,
    centroids: np.ndarray,
    orders: np.ndarray,
    eps: np.ndarray,
    weights: np.ndarray,
) -> np.ndarray:
    """Compiled equivalent of :func:`neural_gas_reference` (same arguments, same result)."""
    dtype = np.asarray(centroids).dtype
    if dtype not in PRECISIONS.values():
        raise ValueError(f"centroids must be float64 or float32, got {dtype}")
    wt = np.ascontiguousarray(np.asarray(centroids).T.copy())
    run_kernel(
        np.ascontiguousarray(data, dtype=dtype),
        wt,
        np.ascontiguousarray(orders, dtype=np.int64),
        np.ascontiguousarray(eps, dtype=dtype),
        np.ascontiguousarray(weights, dtype=dtype),
    )
    return np.ascontiguousarray(wt.T)


def neural_gas(
    data: np.ndarray,
    k: int,
    seed: int,
    *,
    epochs: int = EPOCHS,
    eps0: float = EPS0,
    eps_fin: float = EPS_FIN,
    r0: float | None = None,
    r_fin: float = R_FIN,
    reference: bool = False,
    precision: str = "float64",
) -> ClusterResult:
    """Online Neural Gas (eqs. 1–5) with the paper's defaults; ``r0`` defaults to 2k.

    The seed draws the k initial centroids (distinct data points) and then one random data
    order per epoch. ``reference=True`` runs the pure NumPy implementation instead of the
    compiled kernel (identical result, much slower). ``precision`` "float32" runs both
    implementations in single precision (data, centroids, ε and h, which then underflows to 0
    from r/R > 103 instead of 745): about 1.5× faster, and identical between the two, but
    not to float64.
    """
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"data must be (n, d), got shape {data.shape}")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if not np.all(np.isfinite(data)):
        raise ValueError("data contain NaN or infinite values")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {sorted(PRECISIONS)}, got {precision!r}")
    dtype = PRECISIONS[precision]
    rng = np.random.default_rng(seed)
    start = initial_centroids(data, k, rng).astype(dtype)
    orders = epoch_orders(data.shape[0], epochs, rng)
    eps, weights = epoch_schedule(epochs, eps0, eps_fin, 2.0 * k if r0 is None else r0, r_fin, k)
    data, eps, weights = data.astype(dtype), eps.astype(dtype), weights.astype(dtype)
    if reference:
        centroids = neural_gas_reference(data, start, orders, eps, weights)
    else:
        centroids = neural_gas_kernel(data, start, orders, eps, weights)
    return ClusterResult(centroids=centroids, labels=assign(data, centroids), seed=seed)
