"""Benchmark scripts stay runnable as the code they time changes (bench_benchmark and
bench_infogan broke silently: a metric without a fake column, a config value out of bounds)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from cellbench.benchmark.stats import METRICS
from tests.conftest import load_benchmark


def test_bench_benchmark_runs_on_a_small_matrix(monkeypatch, capsys) -> None:
    bench = load_benchmark("bench_benchmark")
    args = ["--variants", "2", "--datasets", "2", "--images", "4", "--seeds", "1"]
    monkeypatch.setattr(sys, "argv", ["bench_benchmark.py", *args])
    bench.main()
    assert "2 variants × 2 datasets" in capsys.readouterr().out


def test_bench_benchmark_fakes_a_column_for_every_metric() -> None:
    table = load_benchmark("bench_benchmark").fake_table(np.random.default_rng(0), 3)
    assert {spec.column for spec in METRICS.values()} <= set(table.columns)


@pytest.mark.parametrize("iterations", [1, 2])
def test_bench_infogan_configs_are_valid(iterations: int) -> None:
    configs = load_benchmark("bench_infogan").configs(iterations)
    assert [(c.width, c.batch_size) for c in configs] == [(128, 64), (16, 32)]
    assert all(c.iterations == c.log_every == iterations for c in configs)
