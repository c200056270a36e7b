"""Benchmark of cellulus' mean-shift on a failed foreground: a 1024² image whose std foreground
covers 90% of it (an untrained network), as in the selection grid on GOWT1 at scale 1.

Prints the seconds of one mean-shift (fit on the 10% subsample capped at ``--max-points``,
then every foreground pixel assigned) per bandwidth. Without the cap the fit sees ~94k points.

Usage: python benchmarks/bench_cellulus_meanshift_cap.py [--size 1024] [--max-points 5000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cellbench.methods.cellulus.infer import Embedding, mean_shift


def failed_embedding(size: int, seed: int = 0) -> Embedding:
    """Offsets of a network that learnt nothing: small noise; 90% of the pixels foreground."""
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0, 1.5, (2, size, size)).astype(np.float32)
    foreground = rng.random((size, size)) < 0.9
    return Embedding(offsets, np.ones((size, size), np.float32), foreground)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--max-points", type=int, default=5000)
    parser.add_argument("--bandwidths", type=float, nargs="+", default=[8.0, 16.0])
    args = parser.parse_args()
    embedding = failed_embedding(args.size)
    print(f"{int(embedding.foreground.sum())} foreground pixels, cap {args.max_points}")
    for bandwidth in args.bandwidths:
        start = time.perf_counter()
        labels = mean_shift(embedding, bandwidth, 0.1, np.random.default_rng(0), args.max_points)
        seconds = time.perf_counter() - start
        print(f"bandwidth {bandwidth:g}: {labels.max()} clusters in {seconds:.1f} s")


if __name__ == "__main__":
    main()
