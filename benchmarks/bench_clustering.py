"""Clustering benchmarks of deepng (paper 000, issue 8).

1. Online Neural Gas, k = 1000 on 5000×32 for T = 200 epochs (the paper's largest setting), in
   float64 (default) and float32 (option ``precision``): wall time of the compiled kernel
   (target ≤ 10 s on 2 cores), an identical-results check against the plain per-sample NumPy
   reference in the same precision on a small case, and the speed ratio against that reference
   (measured on the small case, and extrapolated for the full case from one reference epoch,
   the reference doing the same full work in every epoch).
2. Growing Neural Gas growing to about 500 units over 200 epochs: cellbench's compiled GNG
   against the ``minigng`` package (benchmark-only dependency, ``pip install .[bench]``) on the
   same data and parameters, printed ratio (target ≥ 10×).

    python benchmarks/bench_clustering.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cellbench.cluster import growing_neural_gas, neural_gas
from cellbench.cluster.ng import (
    PRECISIONS,
    initial_centroids,
    neural_gas_kernel,
    neural_gas_reference,
)
from cellbench.cluster.schedules import epoch_orders, epoch_schedule
from cellbench.methods.deepng.config import ClusterConfig, GNGConfig


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def ng_identity_and_ratio(
    precision: str, n: int = 400, dim: int = 16, k: int = 50, epochs: int = 20
) -> float:
    data = np.random.default_rng(1).normal(size=(n, dim))
    neural_gas(data[:20], 3, 0, epochs=1, precision=precision)  # compile
    fast, t_fast = timed(neural_gas, data, k, 7, epochs=epochs, precision=precision)
    slow, t_slow = timed(neural_gas, data, k, 7, epochs=epochs, precision=precision, reference=True)
    identical = np.array_equal(fast.centroids, slow.centroids) and np.array_equal(
        fast.labels, slow.labels
    )
    print(
        f"NG {precision} small case ({n}×{dim}, k={k}, T={epochs}): identical to NumPy "
        f"reference: {identical}; kernel {t_fast:.3f} s, reference {t_slow:.2f} s, "
        f"ratio {t_slow / t_fast:.0f}×"
    )
    if not identical:
        raise SystemExit("kernel and reference differ")
    return t_slow / t_fast


def ng_full(precision: str, n: int, dim: int, k: int, epochs: int) -> None:
    data = np.random.default_rng(0).normal(size=(n, dim))
    result, seconds = timed(neural_gas, data, k, 0, epochs=epochs, precision=precision)
    # one reference epoch (epoch 0, every centroid moves) on the same data, extrapolated
    dtype = np.dtype(precision)
    rng = np.random.default_rng(0)
    start = initial_centroids(data, k, rng).astype(dtype)
    orders = epoch_orders(n, 1, rng)
    eps, weights = epoch_schedule(epochs, 0.1, 1e-4, 2.0 * k, 0.001, k)
    first = (data.astype(dtype), start, orders, eps[:1].astype(dtype), weights[:1].astype(dtype))
    ref, t_ref = timed(neural_gas_reference, *first)
    ker = neural_gas_kernel(*first)
    default = " (deepng default)" if precision == ClusterConfig().precision else ""
    print(
        f"NG {precision}{default} full case ({n}×{dim}, k={k}, T={epochs}): {seconds:.2f} s "
        f"(target ≤ 10 s); first epoch identical to reference: {np.array_equal(ref, ker)}; "
        f"reference {t_ref:.2f} s per epoch → ≈{t_ref * epochs:.0f} s for T={epochs}, "
        f"ratio ≈{t_ref * epochs / seconds:.0f}×; {np.unique(result.labels).size} non-empty clusters"
    )


def gng_vs_minigng(n: int, dim: int, epochs: int, max_units: int) -> None:
    data = np.random.default_rng(2).normal(size=(n, dim))
    config = GNGConfig(max_units=max_units, min_distance=0.0)  # else the paper's values
    growing_neural_gas(data[:50], 0, n_start=2, epochs=1)  # compile
    ours, t_ours = timed(growing_neural_gas, data, 0, config, n_start=2, epochs=epochs)
    print(f"GNG cellbench ({n}×{dim}, {epochs} epochs): {ours.k} units in {t_ours:.2f} s")
    try:
        from minigng import MiniGNG
    except ImportError:
        print("minigng not installed (pip install .[bench]): no comparison")
        return
    model = MiniGNG(
        n_epochs=epochs,
        sigma=100,
        max_units=max_units,
        eps_b=0.1,
        eps_n=0.001,
        max_edge_age=50,
        alpha=0.5,
        d=0.995,
    )
    np.random.seed(0)  # noqa: NPY002 - minigng shuffles with the global generator
    _, t_mini = timed(model.fit, data.copy())
    print(
        f"GNG minigng: {len(model.units)} units in {t_mini:.2f} s → cellbench is "
        f"{t_mini / t_ours:.0f}× faster (target ≥ 10×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases (smoke test)")
    args = parser.parse_args()
    for precision in PRECISIONS:
        ng_identity_and_ratio(precision)
        if args.quick:
            ng_full(precision, 1000, 32, 100, 20)
        else:
            ng_full(precision, 5000, 32, 1000, 200)
    if args.quick:
        gng_vs_minigng(100, 32, 20, 50)
    else:
        gng_vs_minigng(500, 32, 200, 500)


if __name__ == "__main__":
    main()
