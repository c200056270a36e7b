"""The bandwidth line search goes past its grid while the best bandwidth is on the grid's edge;
the size-filter search after it grows the filter only while it drops false objects alone."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from cellbench.methods.cellulus.select import (
    best_parameters,
    best_size,
    extend_search,
    pooled_scores,
)


def peaked_at(peak: float):
    """Scores of one bandwidth (two shrinks), highest at ``peak``; records what was asked."""
    asked: list[float] = []

    def score(bandwidth: float) -> pd.DataFrame:
        asked.append(bandwidth)
        seg = 1.0 - abs(bandwidth - peak) / 100
        return pd.DataFrame(
            [
                {"bandwidth": bandwidth, "shrink": shrink, "f1": seg, "seg": seg - shrink / 1000}
                for shrink in (0, 2)
            ]
        )

    return score, asked


def grid(score, bandwidths: list[float]) -> pd.DataFrame:
    return pd.concat([score(b) for b in bandwidths], ignore_index=True)


@pytest.mark.parametrize(
    ("peak", "steps", "tried", "chosen"),
    [
        (12.0, 4, [], 12.0),  # inside the grid: nothing added
        (17.5, 4, [16.0, 18.0, 20.0], 18.0),  # up until the best is inside the grid
        (3.5, 4, [4.0, 2.0], 4.0),  # down
        (1.0, 4, [4.0, 2.0], 2.0),  # down, kept > 0: no bandwidth 0
        (40.0, 2, [16.0, 18.0], 18.0),  # at most `steps` extra bandwidths
        (40.0, 0, [], 14.0),  # 0 steps: the grid only
    ],
)
def test_search_extends_past_the_edge_until_the_best_is_inside(
    peak: float, steps: int, tried: list[float], chosen: float
) -> None:
    score, asked = peaked_at(peak)
    scores = grid(score, [6.0, 8.0, 10.0, 12.0, 14.0])
    asked.clear()
    extended = extend_search(scores, score, "seg", steps)
    assert asked == tried
    assert best_parameters(extended, "seg") == (chosen, 0)
    assert len(extended) == len(scores) + 2 * len(tried)


def test_best_still_on_the_edge_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    score, _ = peaked_at(40.0)
    with caplog.at_level(logging.WARNING):
        extend_search(grid(score, [6.0, 8.0, 10.0]), score, "seg", 1)
    assert "on the edge of the searched bandwidths [6.0, 8.0, 10.0, 12.0]" in caplog.text


def test_one_bandwidth_is_not_extended() -> None:
    score, asked = peaked_at(40.0)
    scores = score(8.0)
    asked.clear()
    assert extend_search(scores, score, "seg", 4).equals(scores)
    assert asked == []


def test_size_filter_drops_an_unmatched_fragment_with_seg_unchanged() -> None:
    truth = np.zeros((32, 32), np.uint32)
    truth[4:14, 4:14] = 1
    clusters = truth.copy()
    clusters[24:27, 24:27] = 2  # a 9-pixel false object
    # bandwidth 2: a filter f drops pieces under f × π × 4 ≈ 12.6 f pixels.
    kept = pooled_scores([clusters], [truth], 2.0, 0, 0.5)
    dropped = pooled_scores([clusters], [truth], 2.0, 0, 1.0)
    assert kept == {"f1": pytest.approx(2 / 3), "seg": 1.0}
    assert dropped == {"f1": 1.0, "seg": 1.0}


@pytest.mark.parametrize(
    ("seg", "f1", "chosen"),
    [
        ([0.7, 0.7, 0.7, 0.6], [0.80, 0.85, 0.90, 0.95], 0.75),  # F1 among SEG ties; SEG drop
        ([0.7, 0.7, 0.7, 0.7], [0.80, 0.90, 0.90, 0.90], 0.25),  # full tie: the smaller filter
        ([0.7, 0.6, 0.6, 0.6], [0.80, 0.90, 0.95, 0.99], 0.1),  # the configured one stays
    ],
)
def test_best_size_by_seg_then_f1_then_smaller(
    seg: list[float], f1: list[float], chosen: float
) -> None:
    scores = pd.DataFrame({"min_size_fraction": [0.1, 0.25, 0.75, 1.0], "seg": seg, "f1": f1})
    assert best_size(scores, "seg") == chosen
