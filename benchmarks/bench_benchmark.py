"""Time of the benchmark statistics on a matrix the size of the default run's.

    python benchmarks/bench_benchmark.py [--variants 8] [--datasets 6] [--images 14] [--seeds 2]

Random per-image counts (valid TP ≤ min(GT, predictions)) for every variant × dataset, the
default `benchmark:` settings (its metrics, 1000 bootstrap resamples); prints the seconds taken by
the matrix (cells, bootstrap intervals, Wilcoxon tests, Holm) and by the ranks. Target: seconds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from cellbench.benchmark.config import BenchmarkConfig
from cellbench.benchmark.matrix import Run, benchmark_rows, rank_summary
from cellbench.benchmark.stats import METRICS, dataset_metric


def fake_table(rng: np.random.Generator, n: int) -> pd.DataFrame:
    n_gt = rng.integers(0, 30, n)
    n_pred = np.maximum(0, n_gt + rng.integers(-5, 6, n))
    tp = np.minimum(np.minimum(n_gt, n_pred), rng.integers(0, 30, n))
    seg_n = n_gt
    seg_sum = rng.random(n) * seg_n
    columns = {
        "image_id": [f"im{i:03d}" for i in range(n)],
        "group": "g",
        "partial": False,
        "n_gt": n_gt,
        "n_pred": n_pred,
        "tp": tp,
        "fp": n_pred - tp,
        "fn": n_gt - tp,
        "f1": np.where(tp > 0, 2 * tp / np.maximum(n_gt + n_pred, 1), 0.0),
        "mean_matched_iou": rng.random(n),
        "seg_sum": seg_sum,
        "seg_n": seg_n,
        "seg": np.where(seg_n > 0, seg_sum / np.maximum(seg_n, 1), 1.0 * (n_pred == 0)),
        "dsb_ap": rng.random(n).round(1),
        "sbd": rng.random(n),
        "abs_dic": np.abs(n_pred - n_gt),
        "dice": rng.random(n),
    }
    for spec in METRICS.values():  # every other metric's column (AJI, any added later)
        columns.setdefault(spec.column, rng.random(n))
    return pd.DataFrame(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=8)
    parser.add_argument("--datasets", type=int, default=6)
    parser.add_argument("--images", type=int, default=14)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    cfg = BenchmarkConfig()
    datasets = [f"d{j}" for j in range(args.datasets)]
    runs = []
    for dataset in datasets:
        for v in range(args.variants):
            for seed in range(args.seeds):
                table = fake_table(rng, args.images)
                # summaries that agree with their tables, as the evaluation writes them
                metrics = {key: dataset_metric(table, key) for key in cfg.metrics}
                runs.append(Run(f"m{v}", dataset, f"seed{seed}", {"metrics": metrics}, table))
    start = time.perf_counter()
    table = benchmark_rows(runs, cfg, [f"m{v}" for v in range(args.variants)], datasets, {})
    matrix = time.perf_counter() - start
    start = time.perf_counter()
    rank_summary(table, cfg.alpha)
    ranks = time.perf_counter() - start
    print(
        f"{args.variants} variants × {args.datasets} datasets × {len(cfg.metrics)} metrics, "
        f"{args.images} images, {args.seeds} seeds: matrix {matrix:.2f} s, ranks {ranks:.3f} s"
    )


if __name__ == "__main__":
    main()
