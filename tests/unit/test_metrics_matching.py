"""Golden counts and properties of the StarDist-convention matching (cellbench.metrics)."""

import itertools

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.metrics import matching, matching_dataset


def square(shift: int = 0, size: int = 30, dtype: type = np.uint16) -> np.ndarray:
    """A 10×10 square object (label 1), shifted down by ``shift`` rows (StarDist's test)."""
    y = np.zeros((size, size), dtype)
    y[10:20, 10:20] = 1
    return np.roll(y, shift, axis=0)


def halves() -> tuple[np.ndarray, np.ndarray]:
    """GT: one 2×4 object; prediction: its two 2×2 halves (IoU exactly 0.5 each)."""
    gt = np.zeros((4, 6), np.int32)
    gt[1:3, 1:5] = 3
    pred = np.zeros_like(gt)
    pred[1:3, 1:3], pred[1:3, 3:5] = 5, 9
    return gt, pred


@pytest.mark.parametrize(
    ("shift", "tp"), [(0, 1), (2, 1), (3, 1), (4, 0), (5, 0)]
)  # IoU = (10 − k)/(10 + k): 1, 2/3, 7/13, 3/7, 1/3
def test_rolled_square(shift: int, tp: int) -> None:
    m = matching(square(), square(shift))
    assert (m.tp, m.fp, m.fn) == (tp, 1 - tp, 1 - tp)
    iou = (10 - shift) / (10 + shift)
    assert m.mean_matched_iou == pytest.approx(iou if tp else 0.0, abs=1e-15)


def test_iou_exactly_half_matches_once() -> None:
    m = matching(*halves())
    assert (m.tp, m.fp, m.fn) == (1, 1, 0)
    assert (m.precision, m.recall, m.f1, m.accuracy) == (0.5, 1.0, 2 / 3, 0.5)
    assert m.mean_matched_iou == 0.5
    above = matching(*halves(), thresh=0.5000001)
    assert (above.tp, above.fp, above.fn) == (0, 2, 1)


def test_merge_of_two_objects() -> None:
    gt = np.zeros((4, 6), np.uint8)
    gt[1:3, 1:3], gt[1:3, 3:5] = 1, 2
    pred = (gt > 0).astype(np.uint8) * 7
    m = matching(gt, pred)
    assert (m.tp, m.fp, m.fn, m.n_true, m.n_pred) == (1, 0, 1, 2, 1)


def test_criteria() -> None:
    gt, pred = halves()
    iot = matching(gt, pred, 0.5, "iot")  # each half covers 0.5 of the GT
    iop = matching(gt, pred, 0.9, "iop")  # each half lies entirely inside the GT
    assert (iot.tp, iot.fp, iot.fn) == (1, 1, 0)
    assert (iop.tp, iop.fp, iop.fn) == (1, 1, 0) and iop.mean_matched_score == 1.0
    with pytest.raises(InputError, match="criterion"):
        matching(gt, pred, criterion="dice")


def test_thresholds_sequence() -> None:
    ms = matching(square(), square(2), thresh=(0.5, 0.6, 0.7))
    assert [m.tp for m in ms] == [1, 1, 0] and [m.thresh for m in ms] == [0.5, 0.6, 0.7]


def test_empty_cases() -> None:
    empty = np.zeros((30, 30), np.uint16)
    m = matching(square(), empty)
    assert (m.tp, m.fp, m.fn, m.f1, m.precision, m.recall) == (0, 0, 1, 0.0, 0.0, 0.0)
    m = matching(empty, square())
    assert (m.tp, m.fp, m.fn, m.f1) == (0, 1, 0, 0.0)
    m = matching(empty, empty)  # StarDist: every ratio is 0 when TP = 0
    assert (m.tp, m.fp, m.fn, m.f1, m.accuracy, m.mean_matched_iou) == (0, 0, 0, 0.0, 0.0, 0.0)


def test_uint8_labels_above_127_do_not_overflow() -> None:
    gt = np.zeros((40, 40), np.uint8)
    gt[:, :20], gt[:, 20:] = 200, 255  # 800 px each, more than uint8 can count
    pred = np.where(gt == 200, 129, 130).astype(np.uint8)
    m = matching(gt, pred)
    assert (m.tp, m.fp, m.fn, m.mean_matched_iou) == (2, 0, 0, 1.0)
    shifted = np.roll(pred, 5, axis=1)
    a, b = matching(gt, shifted), matching(gt.astype(np.int64), shifted.astype(np.int64))
    assert a == b and a.tp == 2


def test_no_background_in_prediction() -> None:
    gt = np.zeros((4, 4), np.int16)
    gt[:, :2] = 1
    pred = np.ones_like(gt)
    pred[:, 2:] = 2  # every pixel labelled: both labels are objects
    m = matching(gt, pred)
    assert (m.tp, m.fp, m.fn, m.n_pred) == (1, 1, 0, 2)


def max_ok_matching(gt: np.ndarray, pred: np.ndarray, thresh: float) -> int:
    """Brute force: the largest number of one-to-one pairs with IoU ≥ thresh."""
    g_ids, p_ids = np.unique(gt[gt > 0]), np.unique(pred[pred > 0])
    ok = np.zeros((len(g_ids), len(p_ids)), bool)
    for i, a in enumerate(g_ids):
        for j, b in enumerate(p_ids):
            inter = np.count_nonzero((gt == a) & (pred == b))
            union = np.count_nonzero((gt == a) | (pred == b))
            ok[i, j] = inter / union >= thresh
    best = 0
    small, large = (ok, len(p_ids)) if len(g_ids) <= len(p_ids) else (ok.T, len(g_ids))
    for perm in itertools.permutations(range(large), small.shape[0]):
        best = max(best, sum(small[i, j] for i, j in enumerate(perm)))
    return best


def random_labels(
    rng: np.random.Generator, n: int, shape: tuple[int, int] = (12, 12)
) -> np.ndarray:
    labels = np.zeros(shape, np.int32)
    for value in rng.choice(np.arange(1, 50), n, replace=False):
        y, x = rng.integers(0, shape[0] - 3), rng.integers(0, shape[1] - 3)
        h, w = rng.integers(2, 6, 2)
        labels[y : y + h, x : x + w] = value
    return labels


@pytest.mark.parametrize("thresh", [0.1, 0.3, 0.5])
def test_tp_is_maximum_matching(thresh: float) -> None:
    rng = np.random.default_rng(7)
    for _ in range(15):
        gt, pred = random_labels(rng, 4), random_labels(rng, 4)
        assert matching(gt, pred, thresh).tp == max_ok_matching(gt, pred, thresh)


def test_permutation_invariance_and_identity() -> None:
    rng = np.random.default_rng(3)
    gt, pred = random_labels(rng, 6), random_labels(rng, 6)
    perm = rng.permutation(1000)[:50] + 1
    perm = np.concatenate([[0], perm])
    for t in (0.3, 0.5):
        a, b = matching(gt, pred, t), matching(perm[gt], perm[pred][::1], t)
        assert a == b
    ident = matching(gt, gt)
    assert ident.f1 == 1.0 and ident.fp == ident.fn == 0 and ident.mean_matched_iou == 1.0


def test_matching_dataset_pools_counts() -> None:
    gts = [square(), square(), halves()[0]]
    preds = [square(0), square(5), halves()[1]]
    pooled = matching_dataset(gts, preds, 0.5)
    assert (pooled.tp, pooled.fp, pooled.fn) == (2, 2, 1)
    assert pooled.f1 == pytest.approx(4 / 7) and pooled.precision == 0.5
    assert pooled.mean_matched_score == pytest.approx((1.0 + 0.5) / 2)
    by_image = matching_dataset(gts, preds, 0.5, by_image=True)
    assert by_image.tp == 2 and by_image.f1 == pytest.approx((1 + 0 + 2 / 3) / 3)
    assert [m.tp for m in matching_dataset(gts, preds, (0.1, 0.5))] == [3, 2]
    assert matching_dataset(gts, preds, 0.5, True) == by_image  # issue's positional order
    with pytest.raises(InputError, match="by_image"):
        matching_dataset(gts, preds, 0.5, "iou")


@pytest.mark.parametrize(
    ("gt", "pred", "message"),
    [
        (np.zeros((4, 4)), np.zeros((4, 4), int), "integer dtype"),
        (np.zeros((4, 4), bool), np.zeros((4, 4), int), "integer dtype"),
        (np.zeros((4, 4), int), np.zeros((4, 5), int), "shape"),
        (np.zeros((4, 4), int), -np.ones((4, 4), int), "negative"),
    ],
)
def test_invalid_input(gt: np.ndarray, pred: np.ndarray, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        matching(gt, pred)
    assert info.value.path is None


def test_dataset_length_mismatch() -> None:
    with pytest.raises(InputError, match="2 ground-truth images but 1"):
        matching_dataset([square(), square()], [square()])
