"""benchmarks/gpu_check.py: slice registry, measurement and extrapolation (on the CPU)."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def gpu_check():
    return load_benchmark("gpu_check")


def test_paper_slices_are_registered(gpu_check):
    assert {"cellulus_train", "deepng_baseline", "deepng_retrain"} <= set(gpu_check.SLICES)
    assert gpu_check.SLICES["cellulus_train"].paper_iterations == 50 * 100
    assert gpu_check.SLICES["deepng_baseline"].paper_iterations == 50 * 74  # ⌈592 / 8⌉ = 74
    assert gpu_check.SLICES["deepng_retrain"].paper_iterations == 20 * 625 * 11 * 48


def test_registered_slice_is_measured_and_extrapolated(gpu_check):
    calls = []

    @gpu_check.register("toy", paper_iterations=3600, how="toy")
    def toy(device: torch.device):
        def step() -> None:
            calls.append(device.type)

        return step

    try:
        row = gpu_check.measure(gpu_check.SLICES["toy"], torch.device("cpu"), 5, warmup=2)
    finally:
        del gpu_check.SLICES["toy"]
    assert calls == ["cpu"] * 7
    assert row["it_per_s"] > 0
    assert row["paper_hours"] == pytest.approx(3600 / row["it_per_s"] / 3600)
    assert row["peak_gib"] != row["peak_gib"]  # NaN without a GPU
