"""Aggregated Jaccard Index (Kumar et al. 2017): hand-computed values and a brute-force check."""

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.metrics import aji, image_scores
from cellbench.metrics.summary import dataset_scores, metric_parameters


def brute_force_aji(gt: np.ndarray, pred: np.ndarray) -> float:
    """Kumar et al. 2017, Algorithm 1, written as loops over objects."""
    c = u = 0
    used: set[int] = set()
    for g in [v for v in np.unique(gt) if v]:
        gm = gt == g
        best, best_iou = None, 0.0
        for s in [v for v in np.unique(pred) if v]:
            sm = pred == s
            iou = (gm & sm).sum() / (gm | sm).sum()
            if iou > best_iou:
                best, best_iou = s, iou
        if best is None:
            u += gm.sum()
            continue
        sm = pred == best
        c += (gm & sm).sum()
        u += (gm | sm).sum()
        used.add(best)
    for s in [v for v in np.unique(pred) if v and v not in used]:
        u += (pred == s).sum()
    return c / u


def test_hand_computed_value():
    gt = np.zeros((6, 6), dtype=np.uint8)
    gt[0:2, 0:2] = 1  # 4 px
    gt[3, 0:3] = 2  # 3 px
    pred = np.zeros((6, 6), dtype=np.uint16)
    pred[0:2, 0:1] = 1  # IoU with GT 1: 2/4
    pred[0:2, 1:3] = 2  # IoU with GT 1: 2/6 -> unused
    pred[3, 1:4] = 3  # IoU with GT 2: 2/4
    pred[5, 5] = 4  # unused
    # C = 2 + 2; U = 4 + 4 + |pred 2| 4 + |pred 4| 1
    assert aji(gt, pred) == pytest.approx(4 / 13)


def test_unmatched_gt_counts_in_the_union():
    gt = np.zeros((4, 4), dtype=np.uint8)
    gt[0, 0:2] = 1
    gt[3, 3] = 2  # no overlapping prediction
    pred = np.zeros_like(gt)
    pred[0, 0:2] = 7
    assert aji(gt, pred) == pytest.approx(2 / 3)


def test_edge_cases():
    empty = np.zeros((3, 3), dtype=np.uint8)
    one = empty.copy()
    one[1, 1] = 1
    assert aji(empty, empty) == 1.0
    assert aji(one, empty) == 0.0
    assert aji(empty, one) == 0.0
    assert aji(one, one * 5) == 1.0
    with pytest.raises(InputError):
        aji(one, np.zeros((2, 2), dtype=np.uint8))


@pytest.mark.parametrize("seed", range(5))
def test_matches_brute_force_on_random_labels(seed):
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, 6, size=(12, 12)).astype(np.uint16)
    pred = rng.integers(0, 9, size=(12, 12)).astype(np.int32)
    assert aji(gt, pred) == pytest.approx(brute_force_aji(gt, pred))


def test_shared_evaluation_reports_aji_as_a_mean_over_images():
    gt = np.zeros((6, 6), dtype=np.uint8)
    gt[0:2, 0:2] = 1
    pred = gt.copy()
    pred[0:2, 0:1] = 0  # AJI 2/4
    rows = [image_scores(gt, gt), image_scores(gt, pred)]
    assert rows[1]["aji"] == pytest.approx(0.5)
    assert dataset_scores(rows)["aji"] == pytest.approx(0.75)
    assert "aji" in metric_parameters()
