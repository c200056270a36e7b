"""Compiled online Neural Gas (eqs. 1–3 of paper 000), bit-identical to the NumPy reference.

Per data point x the kernel does what :func:`cellbench.cluster.ng.neural_gas_reference` does,
with the same floating-point operations in the same order for every centroid: squared
distances accumulated dimension by dimension, the stable rank of every centroid (ties by
index), then ``w += (ε(t) · h(rank)) · (x − w)``. Only the amount of work differs:

* Ranks whose weight h underflows to exactly 0.0 leave a centroid unchanged, so only the m
  nearest centroids matter (m = the number of positive weights of the epoch). For small m
  they are found by an insertion scan; otherwise by a radix sort, on a 16-bit key that is a
  monotone function of the distance, of the centroids that can be among the m nearest, then an
  insertion pass orders the few distances that share a key (exact, and stable like the
  reference's argsort).
* While many centroids move (m · ``DENSE_RATIO`` ≥ k) the update for one point and the
  distances to the next point are computed in one pass over the centroids; later only the m
  winners are moved and the distances are measured in a separate pass.
* The passes over the centroids, stored transposed (d, k), handle four dimensions at a time so
  that each distance is loaded and stored once per four dimensions (same additions, same order).

The same code runs in float64 or float32 (the dtype of the arrays), matching the reference run
in that dtype. A second thread does not help: on the 2-vCPU machines this was written for, two
threads of this vectorised loop run no faster than one (``benchmarks/README.md``).
"""

from __future__ import annotations

import numba
import numpy as np

SCAN_MAX = 8  # rank the m nearest by an insertion scan up to this m, else by radix sort
DENSE_RATIO = 8  # one fused pass over all centroids when m * DENSE_RATIO >= k
KEY_LEVELS = 65536  # distinct sort keys, two 8-bit counting passes
INVERSION_BUDGET = 4096  # insertion moves before crowded keys fall back to a merge sort


@numba.njit(cache=True, nogil=True)
def _distances(data, i, wt, dist):  # pragma: no cover - compiled
    """Squared distances of point ``i`` to every centroid, dimension by dimension."""
    dim = wt.shape[0]
    dist[:] = 0.0
    c = 0
    while c + 4 <= dim:  # (a loop bound computed as dim - dim % 4 defeats the vectoriser)
        x0, x1, x2, x3 = data[i, c], data[i, c + 1], data[i, c + 2], data[i, c + 3]
        r0, r1, r2, r3 = wt[c], wt[c + 1], wt[c + 2], wt[c + 3]
        for j in range(dist.shape[0]):
            total = dist[j]
            z = r0[j] - x0
            total += z * z
            z = r1[j] - x1
            total += z * z
            z = r2[j] - x2
            total += z * z
            z = r3[j] - x3
            total += z * z
            dist[j] = total
        c += 4
    while c < dim:
        xc = data[i, c]
        row = wt[c]
        for j in range(dist.shape[0]):
            z = row[j] - xc
            dist[j] += z * z
        c += 1


@numba.njit(cache=True, nogil=True)
def _update_all_and_measure(data, i, following, wt, dist, coef):  # pragma: no cover - compiled
    """``w += coef · (x_i − w)`` for every centroid, then its squared distance to ``following``."""
    dim = wt.shape[0]
    dist[:] = 0.0
    c = 0
    while c + 4 <= dim:
        x0, x1, x2, x3 = data[i, c], data[i, c + 1], data[i, c + 2], data[i, c + 3]
        n0, n1 = data[following, c], data[following, c + 1]
        n2, n3 = data[following, c + 2], data[following, c + 3]
        r0, r1, r2, r3 = wt[c], wt[c + 1], wt[c + 2], wt[c + 3]
        for j in range(dist.shape[0]):
            a = coef[j]
            total = dist[j]
            w = r0[j] + a * (x0 - r0[j])
            r0[j] = w
            z = w - n0
            total += z * z
            w = r1[j] + a * (x1 - r1[j])
            r1[j] = w
            z = w - n1
            total += z * z
            w = r2[j] + a * (x2 - r2[j])
            r2[j] = w
            z = w - n2
            total += z * z
            w = r3[j] + a * (x3 - r3[j])
            r3[j] = w
            z = w - n3
            total += z * z
            dist[j] = total
        c += 4
    while c < dim:
        xc, xn = data[i, c], data[following, c]
        row = wt[c]
        for j in range(dist.shape[0]):
            w = row[j] + coef[j] * (xc - row[j])
            row[j] = w
            z = w - xn
            dist[j] += z * z
        c += 1


@numba.njit(cache=True, nogil=True)
def _update_all(data, i, wt, coef):  # pragma: no cover - compiled
    """``w += coef · (x_i − w)`` for every centroid (the last point, nothing to measure)."""
    for c in range(wt.shape[0]):
        xc = data[i, c]
        row = wt[c]
        for j in range(row.shape[0]):
            row[j] += coef[j] * (xc - row[j])


@numba.njit(cache=True, nogil=True)
def _update_winners(data, i, wt, ranked, m, step, weights_t):  # pragma: no cover - compiled
    """``w += (ε · h(r)) · (x_i − w)`` for the m nearest centroids only."""
    for r in range(m):
        j = ranked[r]
        a = step * weights_t[r]
        for c in range(wt.shape[0]):
            wt[c, j] += a * (data[i, c] - wt[c, j])


@numba.njit(cache=True, nogil=True, fastmath={"nnan", "ninf"})
def _value_range(dist):  # pragma: no cover - compiled
    """Smallest and largest of the (finite) distances."""
    lo = dist[0]
    hi = dist[0]
    for j in range(1, dist.shape[0]):
        lo = min(lo, dist[j])
        hi = max(hi, dist[j])
    return lo, hi


@numba.njit(cache=True, nogil=True)
def _nearest_by_scan(dist, m, ranked):  # pragma: no cover - compiled
    """The m nearest centroids in stable order, kept sorted while scanning once."""
    for j in range(m):  # the first m, in order
        d = dist[j]
        p = j
        while p > 0 and dist[ranked[p - 1]] > d:
            ranked[p] = ranked[p - 1]
            p -= 1
        ranked[p] = j
    worst = dist[ranked[m - 1]]
    for j in range(m, dist.shape[0]):
        d = dist[j]
        if d >= worst:  # ties keep the lower index already kept
            continue
        p = m - 1
        while p > 0 and dist[ranked[p - 1]] > d:
            ranked[p] = ranked[p - 1]
            p -= 1
        ranked[p] = j
        worst = dist[ranked[m - 1]]


@numba.njit(cache=True, nogil=True)
def nearest_by_radix(
    dist, m, order, sorted_dist, key, candidates, buffer, buffer_keys, histograms
):  # pragma: no cover
    """The m nearest centroids in stable order (ties by index) into ``order[:m]``.

    A 16-bit key ``floor((d − min) · 65536 / (max − min))`` is a non-decreasing function of d.
    The candidates are the centroids whose key's high byte is at most that of the m-th nearest
    (all of them for m = k), in index order; two stable 8-bit counting passes sort them by key,
    which leaves only distances that share a key out of order, and a final insertion pass puts
    those in order without moving a centroid past one with another key. Crowded keys
    (distances squeezed together by an outlier) fall back to a merge sort.
    """
    k = dist.shape[0]
    lo, hi = _value_range(dist)
    if hi == lo:
        for j in range(m):
            order[j] = j
        return
    scale = KEY_LEVELS / (hi - lo)
    for j in range(k):
        q = (dist[j] - lo) * scale
        key[j] = KEY_LEVELS - 1 if q >= KEY_LEVELS else int(q)
    low, high = histograms[:256], histograms[256:]
    low[:] = 0
    high[:] = 0
    if m >= k:  # every centroid is a candidate
        n = k
        for j in range(k):
            candidates[j] = j
            low[key[j] & 255] += 1
            high[key[j] >> 8] += 1
    else:  # candidates: high byte at most that of the m-th nearest, in index order
        for j in range(k):
            high[key[j] >> 8] += 1
        cutoff = 255
        total = 0
        for b in range(256):
            total += high[b]
            if total >= m:
                cutoff = b
                break
        n = 0
        for j in range(k):
            candidates[n] = j
            n += (key[j] >> 8) <= cutoff
        for i in range(n):
            low[key[candidates[i]] & 255] += 1
    total_low = 0
    total_high = 0
    for b in range(256):
        count = low[b]
        low[b] = total_low
        total_low += count
        count = high[b]
        high[b] = total_high
        total_high += count
    for i in range(n):  # first pass, by the low byte; each key travels with its centroid
        j = candidates[i]
        b = key[j] & 255
        p = low[b]
        buffer[p] = j
        buffer_keys[p] = key[j]
        low[b] = p + 1
    for i in range(n):  # second pass, by the high byte
        b = buffer_keys[i] >> 8
        p = high[b]
        order[p] = buffer[i]
        high[b] = p + 1
    for p in range(n):
        sorted_dist[p] = dist[order[p]]
    moves = 0
    for p0 in range(1, n):
        d = sorted_dist[p0]
        if sorted_dist[p0 - 1] <= d:
            continue
        j = order[p0]
        p = p0
        while p > 0 and sorted_dist[p - 1] > d:
            order[p] = order[p - 1]
            sorted_dist[p] = sorted_dist[p - 1]
            p -= 1
        order[p] = j
        sorted_dist[p] = d
        moves += p0 - p
        if moves > INVERSION_BUDGET:
            chosen = candidates[:n]
            order[:n] = chosen[np.argsort(dist[chosen], kind="mergesort")]
            return


@numba.njit(cache=True, nogil=True)
def _run(data, wt, orders, eps, weights, n_active):  # pragma: no cover - compiled
    """All epochs, point by point, on transposed centroids ``wt`` (d, k) in place."""
    k = wt.shape[1]
    epochs, n = orders.shape
    dist = np.empty(k, wt.dtype)
    coef = np.empty(k, wt.dtype)
    sorted_dist = np.empty(k, wt.dtype)
    ranked = np.empty(k, np.int64)
    key = np.empty(k, np.int64)
    candidates = np.empty(k, np.int64)
    buffer = np.empty(k, np.int64)
    buffer_keys = np.empty(k, np.int64)
    histograms = np.empty(512, dtype=np.int64)
    _distances(data, orders[0, 0], wt, dist)
    for s in range(epochs * n):
        t = s // n
        i = orders[t, s % n]
        following = orders[(s + 1) // n, (s + 1) % n] if s + 1 < epochs * n else -1
        m = n_active[t]
        if m <= SCAN_MAX:
            _nearest_by_scan(dist, m, ranked)
        else:
            nearest_by_radix(
                dist, m, ranked, sorted_dist, key, candidates, buffer, buffer_keys, histograms
            )
        if m * DENSE_RATIO >= k:
            if m < k:
                coef[:] = 0.0
            for r in range(m):
                coef[ranked[r]] = eps[t] * weights[t, r]
            if following >= 0:
                _update_all_and_measure(data, i, following, wt, dist, coef)
            else:
                _update_all(data, i, wt, coef)
        else:
            _update_winners(data, i, wt, ranked, m, eps[t], weights[t])
            if following >= 0:
                _distances(data, following, wt, dist)


def run_kernel(
    data: np.ndarray, wt: np.ndarray, orders: np.ndarray, eps: np.ndarray, weights: np.ndarray
) -> None:
    """Run eqs. 1–3 over all epochs on transposed centroids ``wt`` (d, k), in place.

    Arrays must be C-contiguous: ``orders`` (T, n) int64; ``data`` (n, d), ``eps`` (T,) and
    ``weights`` (T, k) in the dtype of ``wt``, float64 or float32.
    """
    n_active = np.count_nonzero(weights > 0.0, axis=1).astype(np.int64)
    if np.any(n_active < 1):
        raise ValueError("the nearest centroid must always have a positive weight")
    _run(data, wt, orders, eps, weights, n_active)
