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
NumPy loop, and a compiled kernel (numba) used by :func:`neural_gas`. The kernel is exact, not
approximate: it skips only ranks whose weight h underflows to exactly 0.0 in float64 (for them
the update of eq. 1 is exactly zero), so late in training, when R(t) is small, only the nearest
few centroids are ranked and moved. Distances are accumulated dimension by dimension in the same
order in both implementations, so ranks (stable order on ties) and updates agree bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from cellbench.cluster.schedules import epoch_orders, epoch_schedule

EPS0 = 0.1
EPS_FIN = 1e-4
R_FIN = 0.001
EPOCHS = 200


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


def squared_distances(data: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """(n, k) squared Euclidean distances, accumulated dimension by dimension."""
    dist = np.zeros((data.shape[0], centroids.shape[0]))
    for c in range(data.shape[1]):
        dist += (data[:, c, None] - centroids[None, :, c]) ** 2
    return dist


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
    Returns the final centroids (a new array).
    """
    w = np.array(centroids, dtype=np.float64, copy=True)
    k, dim = w.shape
    for t in range(orders.shape[0]):
        for i in orders[t]:
            x = data[i]
            dist = np.zeros(k)
            for c in range(dim):
                dist += (w[:, c] - x[c]) ** 2
            ranks = np.empty(k, dtype=np.int64)
            ranks[np.argsort(dist, kind="stable")] = np.arange(k)
            h = weights[t][ranks]
            w += (eps[t] * h)[:, None] * (x - w)
    return w


RADIX_BITS = 11
RADIX_MASK = (1 << RADIX_BITS) - 1


@numba.njit(cache=True, nogil=True)
def _radix_argsort(keys, order, buffer, histogram):  # pragma: no cover - compiled
    """Stable LSD radix argsort of uint64 keys (11-bit digits) into ``order``.

    Non-negative float64 values sort like their IEEE-754 bit patterns read as uint64, so this
    gives exactly the stable order of the squared distances (ties by index), 3–4× faster than a
    merge sort for k = 1000. Digits shared by every key are skipped.
    """
    n = keys.shape[0]
    for i in range(n):
        order[i] = i
    shift = 0
    while shift < 64:
        histogram[:] = 0
        for i in range(n):
            histogram[(keys[order[i]] >> shift) & RADIX_MASK] += 1
        constant = False
        for b in range(RADIX_MASK + 1):
            if histogram[b] != 0:
                constant = histogram[b] == n
                break
        if not constant:
            total = 0
            for b in range(RADIX_MASK + 1):
                count = histogram[b]
                histogram[b] = total
                total += count
            for i in range(n):
                j = order[i]
                digit = (keys[j] >> shift) & RADIX_MASK
                buffer[histogram[digit]] = j
                histogram[digit] += 1
            order[:] = buffer
        shift += RADIX_BITS


@numba.njit(cache=True, nogil=True)
def _ng_kernel(data, wt, orders, eps, weights, n_active):  # pragma: no cover - compiled
    """Compiled eqs. 1–3 on transposed centroids ``wt`` (d, k), updated in place."""
    dim, k = wt.shape
    dist = np.empty(k)
    coef = np.empty(k)
    order = np.empty(k, dtype=np.int64)
    buffer = np.empty(k, dtype=np.int64)
    histogram = np.empty(RADIX_MASK + 1, dtype=np.int64)
    for t in range(orders.shape[0]):
        m = n_active[t]
        step = eps[t]
        for ii in range(orders.shape[1]):
            i = orders[t, ii]
            dist[:] = 0.0
            for c in range(dim):
                xc = data[i, c]
                for j in range(k):
                    z = wt[c, j] - xc
                    dist[j] += z * z
            if m == 1:
                best = 0
                for j in range(1, k):
                    if dist[j] < dist[best]:
                        best = j
                a = step * weights[t, 0]
                for c in range(dim):
                    wt[c, best] += a * (data[i, c] - wt[c, best])
            elif m == k:
                _radix_argsort(dist.view(np.uint64), order, buffer, histogram)
                for r in range(k):
                    coef[order[r]] = step * weights[t, r]
                for c in range(dim):
                    xc = data[i, c]
                    for j in range(k):
                        wt[c, j] += coef[j] * (xc - wt[c, j])
            else:
                # only the m nearest centroids have h > 0: select them, rank them stably
                threshold = np.partition(dist, m - 1)[m - 1]
                candidates = np.nonzero(dist <= threshold)[0]
                ranked = candidates[np.argsort(dist[candidates], kind="mergesort")]
                for r in range(m):
                    j = ranked[r]
                    a = step * weights[t, r]
                    for c in range(dim):
                        wt[c, j] += a * (data[i, c] - wt[c, j])


def neural_gas_kernel(
    data: np.ndarray,
    centroids: np.ndarray,
    orders: np.ndarray,
    eps: np.ndarray,
    weights: np.ndarray,
) -> np.ndarray:
    """Compiled equivalent of :func:`neural_gas_reference` (same arguments, same result)."""
    data = np.ascontiguousarray(data, dtype=np.float64)
    wt = np.ascontiguousarray(np.asarray(centroids, dtype=np.float64).T.copy())
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    n_active = np.count_nonzero(weights > 0.0, axis=1).astype(np.int64)
    if np.any(n_active < 1):
        raise ValueError("the nearest centroid must always have a positive weight")
    _ng_kernel(
        data,
        wt,
        np.ascontiguousarray(orders, dtype=np.int64),
        np.ascontiguousarray(eps, dtype=np.float64),
        weights,
        n_active,
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
) -> ClusterResult:
    """Online Neural Gas (eqs. 1–5) with the paper's defaults; ``r0`` defaults to 2k.

    The seed draws the k initial centroids (distinct data points) and then one random data
    order per epoch. ``reference=True`` runs the pure NumPy implementation instead of the
    compiled kernel (identical result, much slower).
    """
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"data must be (n, d), got shape {data.shape}")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    rng = np.random.default_rng(seed)
    start = initial_centroids(data, k, rng)
    orders = epoch_orders(data.shape[0], epochs, rng)
    eps, weights = epoch_schedule(epochs, eps0, eps_fin, 2.0 * k if r0 is None else r0, r_fin, k)
    run = neural_gas_reference if reference else neural_gas_kernel
    centroids = run(data, start, orders, eps, weights)
    return ClusterResult(centroids=centroids, labels=assign(data, centroids), seed=seed)
