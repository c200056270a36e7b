"""kMC / NG (eqs. 1–5), GNG and the cluster-size entropy of paper 000."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cellbench.cluster import growing_neural_gas, neural_gas, normalized_entropy, online_kmeans
from cellbench.cluster.ng import neural_gas_kernel, neural_gas_reference
from cellbench.cluster.ng_kernel import nearest_by_radix
from cellbench.cluster.schedules import (
    epoch_schedule,
    learning_rate,
    neighbourhood_range,
    rank_weights,
)
from cellbench.methods.deepng.config import GNGConfig


def test_schedules_follow_eqs_4_and_5():
    assert neighbourhood_range(0, 200, 10.0, 0.001) == pytest.approx(10.0)
    assert neighbourhood_range(100, 200, 10.0, 0.001) == pytest.approx(math.sqrt(10.0 * 0.001))
    assert neighbourhood_range(200, 200, 10.0, 0.001) == pytest.approx(0.001)
    assert learning_rate(50, 200, 0.1, 1e-4) == pytest.approx(0.1 * (1e-3) ** 0.25)
    assert rank_weights(3, 2.0) == pytest.approx(np.exp([0.0, -0.5, -1.0]))
    with pytest.raises(ValueError):
        learning_rate(0, 200, 0.0, 1e-4)


def test_one_ng_step_by_hand():
    """One point, three centroids: Δw_i = ε h(r_i) (x − w_i), h = exp(−r / R)."""
    data = np.array([[0.0, 0.0]])
    w = np.array([[1.0, 0.0], [0.0, 3.0], [2.0, 2.0]])
    eps, weights = np.array([0.5]), rank_weights(3, 1.0)[None]
    expected = w.copy()
    for i, rank in enumerate([0, 2, 1]):  # distances² 1, 9, 8
        expected[i] += 0.5 * math.exp(-rank) * (data[0] - w[i])
    orders = np.array([[0]])
    got_ref = neural_gas_reference(data, w, orders, eps, weights)
    got_kernel = neural_gas_kernel(data, w, orders, eps, weights)
    np.testing.assert_allclose(got_ref, expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(got_kernel, got_ref)


def test_kmc_moves_only_the_winner():
    data = np.array([[0.0, 0.0], [10.0, 10.0]])
    w = np.array([[1.0, 1.0], [9.0, 9.0], [5.0, 5.0]])
    eps, weights = epoch_schedule(1, 0.1, 1e-4, 0.001, 0.001, 3)
    assert weights[0].tolist() == [1.0, 0.0, 0.0]  # exp(-1000) underflows to exactly 0
    got = neural_gas_kernel(data, w, np.array([[0, 1]]), eps, weights)
    np.testing.assert_allclose(got[0], [0.9, 0.9])
    np.testing.assert_allclose(got[1], [9.1, 9.1])
    np.testing.assert_array_equal(got[2], w[2])


@pytest.mark.parametrize("algorithm", [neural_gas, online_kmeans])
def test_kernel_identical_to_numpy_reference(algorithm):
    data = np.random.default_rng(1).normal(size=(120, 5))
    fast = algorithm(data, 7, seed=3, epochs=15)
    slow = algorithm(data, 7, seed=3, epochs=15, reference=True)
    np.testing.assert_array_equal(fast.centroids, slow.centroids)
    np.testing.assert_array_equal(fast.labels, slow.labels)


def _identical(data: np.ndarray, k: int, epochs: int, precision: str = "float64") -> None:
    fast = neural_gas(data, k, seed=5, epochs=epochs, precision=precision)
    slow = neural_gas(data, k, seed=5, epochs=epochs, precision=precision, reference=True)
    assert fast.centroids.dtype == np.dtype(precision)
    np.testing.assert_array_equal(fast.centroids, slow.centroids)
    np.testing.assert_array_equal(fast.labels, slow.labels)


@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_kernel_identical_through_every_regime(precision):
    """k = 300 over 30 epochs: every centroid moves (one fused pass, full radix sort), then
    only the m nearest (sort, then insertion scan), down to the winner alone."""
    data = np.random.default_rng(4).normal(size=(400, 6))
    _identical(data, 300, 30, precision)


def test_kernel_identical_with_tied_distances():
    grid = np.random.default_rng(6).integers(0, 3, size=(150, 2)).astype(np.float64)
    _identical(np.repeat(grid, 2, axis=0), 60, 6)


@pytest.mark.parametrize("case", ["spread", "ties", "outlier", "constant", "float32"])
def test_radix_selection_of_distances_is_the_stable_argsort(case):
    """The 16-bit key sort, its insertion pass and (outlier: every other distance shares one
    key) its merge-sort fallback all give the start of ``np.argsort(kind="stable")``."""
    rng = np.random.default_rng(9)
    dist = {
        "spread": rng.uniform(10, 60, 1000),
        "ties": rng.integers(0, 4, 1000).astype(np.float64),
        "outlier": np.append(rng.uniform(0, 1, 999), 1e12),
        "constant": np.full(300, 2.5),
        "float32": rng.uniform(0, 1, 700).astype(np.float32),
    }[case]
    k = dist.size
    expected = np.argsort(dist, kind="stable")
    for m in (k, k // 3, 17):  # all, or the m nearest (radix sort of the candidates only)
        order, *scratch = (np.empty(k, dtype=np.int64) for _ in range(5))
        histograms = np.empty(512, np.int64)
        nearest_by_radix(dist, m, order, np.empty_like(dist), *scratch, histograms)
        np.testing.assert_array_equal(order[:m], expected[:m])


def test_float32_differs_from_float64_and_bad_precision_is_refused():
    data = np.random.default_rng(8).normal(size=(100, 4))
    single = neural_gas(data, 20, seed=0, epochs=5, precision="float32")
    double = neural_gas(data, 20, seed=0, epochs=5)
    assert not np.array_equal(single.centroids.astype(np.float64), double.centroids)
    np.testing.assert_allclose(single.centroids, double.centroids, atol=1e-4)
    with pytest.raises(ValueError, match="precision"):
        neural_gas(data, 3, seed=0, epochs=1, precision="float16")
    with pytest.raises(ValueError, match="NaN"):
        neural_gas(np.full((5, 2), np.nan), 2, seed=0, epochs=1)


def test_seed_determines_result():
    data = np.random.default_rng(2).normal(size=(100, 3))
    a, b, c = (neural_gas(data, 4, seed=s, epochs=5) for s in (0, 0, 1))
    np.testing.assert_array_equal(a.centroids, b.centroids)
    assert not np.array_equal(a.centroids, c.centroids)


def test_ng_finds_separated_clusters():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    data = np.concatenate([c + rng.normal(scale=0.3, size=(50, 2)) for c in centres])
    result = neural_gas(data, 3, seed=0, epochs=30)
    found = np.sort(np.round(result.centroids).astype(int), axis=0)
    np.testing.assert_array_equal(found, np.sort(centres.astype(int), axis=0))
    assert normalized_entropy(result.labels, 3) == pytest.approx(1.0)


def test_gng_inserts_every_lambda_steps_and_ages_edges():
    rng = np.random.default_rng(0)
    data = rng.uniform(0, 10, size=(100, 2))
    result = growing_neural_gas(
        data, 0, GNGConfig(insert_every=100, max_edge_age=50, min_distance=0.0), n_start=2, epochs=3
    )
    assert result.n_steps == 300
    assert result.k == 2 + 3  # one insertion per 100 steps, no unit isolated this early
    assert result.edges.shape[1] == 2 and len(result.edges) >= result.k - 1
    # with maximal edge age 0 every edge is dropped on its first ageing: units get isolated
    pruned = growing_neural_gas(
        data, 0, GNGConfig(insert_every=1000, max_edge_age=0, min_distance=0.0), n_start=3, epochs=1
    )
    assert pruned.k < 3


def test_gng_respects_minimal_distance_and_capacity():
    data = np.zeros((50, 2))
    data[25:] = 5.0
    result = growing_neural_gas(data, 0, GNGConfig(min_distance=0.2), n_start=2, epochs=2)
    assert result.n_steps < 100  # points within 0.2 of their winner are skipped
    capped = growing_neural_gas(
        np.random.default_rng(0).normal(size=(200, 2)),
        0,
        GNGConfig(insert_every=10, max_units=6, min_distance=0.0),
        n_start=2,
        epochs=5,
    )
    assert capped.k <= 6


def test_normalized_entropy_values():
    assert normalized_entropy(np.array([0, 1, 2, 3]), 4) == pytest.approx(1.0)
    assert normalized_entropy(np.array([0, 0, 0, 0]), 4) == pytest.approx(0.0)
    p = np.array([0.5, 0.25, 0.25])
    expected = -(p * np.log(p)).sum() / np.log(4)  # one empty cluster of four
    assert normalized_entropy(np.array([0, 0, 1, 2]), 4) == pytest.approx(expected)
    with pytest.raises(ValueError):
        normalized_entropy(np.array([5]), 4)
