"""Growing Neural Gas (Fritzke 1995) as used in paper 000, Section II-D, eqs. 6–7.

Per data point x (new random order every epoch, no parameter changes over time):

1. find the nearest unit s1 and the second nearest s2;
2. if ‖x − w_s1‖ is below the minimal distance for updates (0.2), skip x;
3. error(s1) += ‖w_s1 − x‖² (eq. 6); w_s1 += εb (x − w_s1) (eq. 1 with h = 1, ε = εb);
4. connect s1–s2 with age 0 (or reset the age of that edge);
5. for every neighbour n of s1: drop the edge if its age reached the maximum (50), removing n
   if it has no edge left; otherwise age the edge by one and move w_n += εn (x − w_n);
6. every λ = 100 steps (while below the maximal number of units) insert a unit halfway between
   the unit q of largest error and its neighbour f of largest error (eq. 7), decay their errors
   by the split factor 0.5, give the new unit q's error, and replace edge q–f by q–r, f–r;
7. decay all errors by 0.995.

This follows NeuPy's ``GrowingNeuralGas`` (reference [39] of paper 000, Section II-D). The
paper's text gives εn = 0.1 "for the nearest neighbour" and εb = 0.001 "for connected centroids",
which swaps Fritzke's names (εb is the winner's rate); we use winner 0.1 and neighbours 0.001
(documented in docs/deviations.md). Units live in fixed slots of a capacity ``max_units``;
removed units free their slot, the result lists active units in slot order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from cellbench.cluster.ng import assign
from cellbench.cluster.schedules import epoch_orders
from cellbench.methods.deepng.config import GNGConfig


@dataclass(frozen=True)
class GNGResult:
    """Final units (m, d), their edges (pairs of row indices into ``centroids``), labels, seed."""

    centroids: np.ndarray
    edges: np.ndarray
    labels: np.ndarray
    seed: int
    n_steps: int

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])


@numba.njit(cache=True, nogil=True)
def _gng_kernel(
    data, w, err, active, age, orders, eps_b, eps_n, max_age, lam, alpha, decay, min_dist
):  # pragma: no cover - compiled
    cap, dim = w.shape
    steps = 0
    dist = np.empty(cap)
    min_sq = min_dist * min_dist
    for t in range(orders.shape[0]):
        for ii in range(orders.shape[1]):
            i = orders[t, ii]
            s1 = -1
            s2 = -1
            for j in range(cap):
                if not active[j]:
                    continue
                acc = 0.0
                for c in range(dim):
                    z = w[j, c] - data[i, c]
                    acc += z * z
                dist[j] = acc
                if s1 < 0 or acc < dist[s1]:
                    s2 = s1
                    s1 = j
                elif s2 < 0 or acc < dist[s2]:
                    s2 = j
            if dist[s1] < min_sq:
                continue
            steps += 1
            err[s1] += dist[s1]
            for c in range(dim):
                w[s1, c] += eps_b * (data[i, c] - w[s1, c])
            age[s1, s2] = 0
            age[s2, s1] = 0
            for n in range(cap):
                a = age[s1, n]
                if a < 0:
                    continue
                if a >= max_age:
                    age[s1, n] = -1
                    age[n, s1] = -1
                    alone = True
                    for m in range(cap):
                        if age[n, m] >= 0:
                            alone = False
                            break
                    if alone:
                        active[n] = False
                else:
                    age[s1, n] = a + 1
                    age[n, s1] = a + 1
                    for c in range(dim):
                        w[n, c] += eps_n * (data[i, c] - w[n, c])
            if steps % lam == 0:
                free = -1
                for j in range(cap):
                    if not active[j]:
                        free = j
                        break
                q = -1
                for j in range(cap):
                    if active[j] and (q < 0 or err[j] > err[q]):
                        q = j
                f = -1
                for j in range(cap):
                    if age[q, j] >= 0 and (f < 0 or err[j] > err[f]):
                        f = j
                if free >= 0 and f >= 0:
                    err[q] *= alpha
                    err[f] *= alpha
                    for c in range(dim):
                        w[free, c] = 0.5 * (w[q, c] + w[f, c])
                    err[free] = err[q]
                    active[free] = True
                    age[q, f] = -1
                    age[f, q] = -1
                    age[q, free] = 0
                    age[free, q] = 0
                    age[f, free] = 0
                    age[free, f] = 0
            for j in range(cap):
                if active[j]:
                    err[j] *= decay
    return steps


def growing_neural_gas(
    data: np.ndarray,
    seed: int,
    config: GNGConfig | None = None,
    *,
    n_start: int = 5,
    epochs: int = 200,
) -> GNGResult:
    """Run GNG from ``n_start`` random data points (paper: 5) for ``epochs`` epochs.

    ``config`` holds the GNG constants (the paper's values when ``None``).
    """
    g = config if config is not None else GNGConfig()
    max_units = g.max_units
    data = np.ascontiguousarray(data, dtype=np.float64)
    if not 2 <= n_start <= min(max_units, data.shape[0]):
        raise ValueError(f"n_start must be in [2, min(max_units, n)], got {n_start}")
    rng = np.random.default_rng(seed)
    w = np.zeros((max_units, data.shape[1]))
    w[:n_start] = data[rng.choice(data.shape[0], size=n_start, replace=False)]
    active = np.zeros(max_units, dtype=np.bool_)
    active[:n_start] = True
    err = np.zeros(max_units)
    age = np.full((max_units, max_units), -1, dtype=np.int64)
    orders = epoch_orders(data.shape[0], epochs, rng)
    steps = _gng_kernel(
        data,
        w,
        err,
        active,
        age,
        orders,
        float(g.eps_winner),
        float(g.eps_neighbour),
        int(g.max_edge_age),
        int(g.insert_every),
        float(g.split_error_decay),
        float(g.error_decay),
        float(g.min_distance),
    )
    slots = np.flatnonzero(active)
    position = np.full(max_units, -1)
    position[slots] = np.arange(slots.size)
    rows, cols = np.nonzero(np.triu(age >= 0, k=1))
    edges = np.stack([position[rows], position[cols]], axis=1).astype(np.int64)
    centroids = w[slots].copy()
    return GNGResult(
        centroids=centroids,
        edges=edges,
        labels=assign(data, centroids),
        seed=seed,
        n_steps=int(steps),
    )
