"""Statistics of the cross-method benchmark (cellbench.benchmark.stats)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wilcoxon

from cellbench.benchmark import stats
from cellbench.evaluation import pooled_scores
from cellbench.metrics import image_scores
from tests.conftest import blob_image


def per_image_table(seed: int, n: int = 6, partial: tuple[int, ...] = (1,)) -> pd.DataFrame:
    """Per-image rows as the evaluation writes them: blob GT against a perturbed prediction."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        _, gt = blob_image(rng, n=int(rng.integers(0, 5)))
        pred = np.roll(gt, int(rng.integers(0, 6)), axis=1)
        if i % 3 == 2:
            pred[pred == 1] = 0
        rows.append(
            {"image_id": f"im{i}", "group": "g", "partial": i in partial, **image_scores(gt, pred)}
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("metric", sorted(stats.METRICS))
def test_dataset_metric_equals_the_evaluation_pooling(metric: str) -> None:
    table = per_image_table(0)
    assert stats.dataset_metric(table, metric) == pytest.approx(
        pooled_scores(table)[metric], abs=1e-12
    )


@pytest.mark.parametrize("metric", sorted(stats.METRICS))
def test_resample_weights_equal_repeated_rows(metric: str) -> None:
    """A resample with multiplicities w scores as the table with each row repeated w times."""
    rows = stats.scored_rows(per_image_table(1), metric)
    weights = np.array([2, 0, 1, 3, 0, 1][: len(rows)])
    repeated = rows.loc[np.repeat(np.arange(len(rows)), weights)]
    expected = pooled_scores(repeated.assign(image_id=range(len(repeated))))[metric]
    assert stats.weighted_metric(rows, metric, weights)[0] == pytest.approx(expected, abs=1e-12)


def test_bootstrap_weights_are_seeded_resamples() -> None:
    weights = stats.bootstrap_weights(7, 50, seed=3)
    assert weights.shape == (50, 7)
    assert (weights.sum(axis=1) == 7).all()
    assert np.array_equal(weights, stats.bootstrap_weights(7, 50, seed=3))
    assert not np.array_equal(weights, stats.bootstrap_weights(7, 50, seed=4))


def test_cell_statistics_value_interval_and_seed_spread() -> None:
    seeds = [per_image_table(0), per_image_table(0).assign(dice=lambda t: t["dice"] * 0.5)]
    cell = stats.cell_statistics(seeds, "dice", samples=500, seed=0, alpha=0.05)
    values = [stats.dataset_metric(t, "dice") for t in seeds]
    assert cell["value"] == pytest.approx(np.mean(values))
    assert cell["seed_sd"] == pytest.approx(np.std(values, ddof=1))
    assert cell["n_images"] == 5  # the partial frame is not scored for Dice
    assert cell["ci_low"] <= cell["value"] <= cell["ci_high"]
    again = stats.cell_statistics(seeds, "dice", samples=500, seed=0, alpha=0.05)
    assert again == cell
    other = stats.cell_statistics(seeds, "dice", samples=500, seed=1, alpha=0.05)
    assert other["value"] == cell["value"] and other["ci_low"] != cell["ci_low"]


def test_cell_statistics_of_one_image_has_a_zero_width_interval() -> None:
    table = per_image_table(2, n=1, partial=())
    cell = stats.cell_statistics([table], "f1", samples=100, seed=0, alpha=0.05)
    assert cell["ci_low"] == cell["ci_high"] == cell["value"]
    assert np.isnan(cell["seed_sd"])


def test_seeds_scored_on_other_images_are_refused() -> None:
    a, b = per_image_table(0), per_image_table(0).assign(image_id=lambda t: t["image_id"] + "x")
    with pytest.raises(ValueError, match="different images"):
        stats.cell_statistics([a, b], "f1", samples=100, seed=0, alpha=0.05)


def test_wilcoxon_p_is_scipys() -> None:
    """Every branch of scipy's "auto": exact (no ties), permutation (ties or zeros, n <= 13),
    asymptotic (n > 50, or ties with n > 13)."""
    rng = np.random.default_rng(0)
    cases = [(rng.random(n), rng.random(n)) for n in (5, 15, 60)]
    for n in (3, 6, 9, 13, 14, 20):
        for _ in range(2):
            cases.append((rng.integers(0, 4, n) / 3, rng.integers(0, 4, n) / 3))
    for x, y in cases:
        if not np.array_equal(x, y):
            assert abs(stats.wilcoxon_p(x, y) - wilcoxon(x, y).pvalue) < 1e-12, (x, y)
    assert np.isnan(stats.wilcoxon_p(cases[0][0], cases[0][0]))


def test_holm_matches_a_hand_computed_example() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> running max
    adjusted = stats.holm(np.array([0.01, 0.04, 0.03, 0.005, np.nan]))
    assert np.allclose(adjusted[:4], [0.03, 0.06, 0.06, 0.02], atol=1e-15)
    assert np.isnan(adjusted[4])


def test_paired_tests_use_common_images_and_holm() -> None:
    rng = np.random.default_rng(1)
    index = [f"im{i}" for i in range(12)]
    values = {name: pd.Series(rng.random(12), index=index) for name in ("a", "b", "c")}
    table = stats.paired_tests(values, "a").set_index("label")
    raw = [wilcoxon(values[v].to_numpy(), values["a"].to_numpy()).pvalue for v in ("b", "c")]
    assert np.allclose(table["p"], raw, rtol=0, atol=1e-12)
    assert np.allclose(table["p_holm"], stats.holm(np.array(raw)))
    assert list(table["n_pairs"]) == [12, 12]


@pytest.mark.parametrize(("k", "q"), [(2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (10, 3.164)])
def test_critical_difference_uses_demsars_q(k: int, q: float) -> None:
    """q_0.05 of Demšar (2006) Table 5(a) (three decimals, truncated); CD = q √(k(k+1)/(6N))."""
    n = 14
    cd = stats.critical_difference(k, n, 0.05)
    assert cd / np.sqrt(k * (k + 1) / (6 * n)) == pytest.approx(q, abs=1e-3)


def test_average_ranks_with_ties_and_direction() -> None:
    block = pd.DataFrame({"d1": [0.9, 0.5, 0.5], "d2": [0.2, 0.8, 0.4]}, index=["a", "b", "c"])
    ranks = stats.average_ranks(block, higher_is_better=True)
    assert ranks.to_dict() == {"a": 2.0, "b": 1.75, "c": 2.25}
    lower = stats.average_ranks(block, higher_is_better=False)
    assert lower.to_dict() == {"a": 2.0, "b": 2.25, "c": 1.75}


def test_complete_block_keeps_most_cells() -> None:
    nan = np.nan
    values = pd.DataFrame(
        {"d1": [1, 2, 3, nan], "d2": [1, 2, 3, 4], "d3": [1, nan, nan, 4], "d4": [1, 2, nan, nan]},
        index=["a", "b", "c", "e"],
    )
    block = stats.complete_block(values)
    # a, b on d1, d2, d4 and a, b, c on d1, d2: six cells each, the tie goes to more datasets
    assert list(block.index) == ["a", "b"] and list(block.columns) == ["d1", "d2", "d4"]
    assert list(stats.complete_block(values.drop(columns="d4")).index) == ["a", "b", "c"]
    assert stats.complete_block(values[["d1"]]).empty


def test_friedman_needs_three_variants() -> None:
    block = pd.DataFrame({"d1": [0.9, 0.5, 0.1], "d2": [0.8, 0.4, 0.2], "d3": [0.7, 0.6, 0.3]})
    assert 0 < stats.friedman_p(block) < 0.1
    assert np.isnan(stats.friedman_p(block.iloc[:2]))
