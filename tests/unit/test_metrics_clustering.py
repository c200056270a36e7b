"""Paper 002 clustering scores and support-weighted classification scores."""

import math

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.metrics import (
    classification_scores,
    cluster_f_score,
    cluster_size_entropy,
    conditional_entropy,
    purity,
)

CLASSES = ["a", "a", "a", "b", "b", "c"]
CLUSTERS = [0, 0, 1, 1, 1, 1]


def test_purity() -> None:
    assert purity(CLASSES, CLUSTERS) == pytest.approx((2 + 2) / 6)
    assert purity(CLASSES, CLASSES) == 1.0


def test_cluster_size_entropy_ignores_classes() -> None:
    expected = -(2 / 6 * math.log(2 / 6) + 4 / 6 * math.log(4 / 6))
    assert cluster_size_entropy(CLUSTERS) == pytest.approx(expected)
    assert cluster_size_entropy([5, 5, 5]) == 0.0
    assert cluster_size_entropy([0, 1, 2, 3], base=2) == pytest.approx(2.0)


def test_conditional_entropy() -> None:
    # cluster 0: {a, a} → 0; cluster 1: {a, b, b, c} → H(1/4, 1/2, 1/4)
    h1 = -(0.25 * math.log(0.25) * 2 + 0.5 * math.log(0.5))
    assert conditional_entropy(CLASSES, CLUSTERS) == pytest.approx(4 / 6 * h1)
    assert conditional_entropy(CLASSES, CLASSES) == 0.0


def test_cluster_f_score() -> None:
    # cluster 0 → a, cluster 1 → b: predictions a a b b b b
    # a: P 1, R 2/3, F 0.8; b: P 0.5, R 1, F 2/3; c: 0 — weights 3, 2, 1
    assert cluster_f_score(CLASSES, CLUSTERS) == pytest.approx((3 * 0.8 + 2 * 2 / 3) / 6)
    assert cluster_f_score(CLASSES, CLASSES) == pytest.approx(1.0, abs=1e-15)


def test_classification_scores() -> None:
    s = classification_scores([0, 0, 1, 1], [0, 1, 1, 1])
    assert s["precision"] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert s["recall"] == pytest.approx(0.75) and s["f_score"] == pytest.approx(
        0.5 * 2 / 3 + 0.5 * 0.8
    )


def test_invalid() -> None:
    with pytest.raises(InputError):
        purity([1, 2], [1])
    with pytest.raises(InputError):
        purity(np.array([]), np.array([]))
