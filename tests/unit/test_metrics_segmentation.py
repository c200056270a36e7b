"""Golden values of DSB, AP, CTC SEG, CVPPP SBD/DiC, Dice and adapted Rand on hand-made arrays."""

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.metrics import (
    DSB_THRESHOLDS,
    adapted_rand_error,
    average_precision,
    ctc_seg,
    dic,
    dice,
    dsb_ap,
    dsb_map,
    sbd,
)
from cellbench.metrics.dsb import dsb_ap_per_threshold


def square(shift: int = 0) -> np.ndarray:
    y = np.zeros((30, 30), np.uint16)
    y[10:20, 10:20] = 1
    return np.roll(y, shift, axis=0)


def halves() -> tuple[np.ndarray, np.ndarray]:
    """GT: one 2×4 object; prediction: its two halves (IoU 0.5, coverage exactly 0.5)."""
    gt = np.zeros((2, 4), np.int32)
    gt[:] = 3
    pred = np.zeros_like(gt)
    pred[:, :2], pred[:, 2:] = 5, 9
    return gt, pred


def merged() -> tuple[np.ndarray, np.ndarray]:
    """GT: two 2×2 objects; prediction: one object covering both."""
    gt = np.zeros((2, 4), np.uint8)
    gt[:, :2], gt[:, 2:] = 1, 2
    return gt, np.full_like(gt, 7)


def strip(gt_range: tuple[int, int], pred_range: tuple[int, int]) -> tuple[np.ndarray, ...]:
    gt, pred = np.zeros((1, 30), np.int64), np.zeros((1, 30), np.int64)
    gt[0, slice(*gt_range)], pred[0, slice(*pred_range)] = 1, 1
    return gt, pred


EMPTY = np.zeros((30, 30), np.uint16)


@pytest.mark.parametrize(("shift", "expected"), [(0, 1.0), (2, 0.4), (3, 0.1), (4, 0.0)])
def test_dsb_rolled_square(shift: int, expected: float) -> None:
    # IoU 2/3 exceeds 0.50 … 0.65 (4 of 10 thresholds); 7/13 = 0.538 only 0.50.
    assert dsb_ap(square(), square(shift)) == pytest.approx(expected, abs=1e-15)


def test_dsb_is_strict_at_threshold() -> None:
    half_gt, half_pred = halves()
    assert dsb_ap(half_gt, half_pred) == 0.0  # IoU exactly 0.5 never matches
    gt, pred = strip((0, 15), (4, 20))  # IoU = 11/20 = 0.55 exactly
    assert dsb_ap_per_threshold(gt, pred).tolist() == [1.0] + [0.0] * 9
    assert DSB_THRESHOLDS[1] == 0.55 and len(DSB_THRESHOLDS) == 10


def test_dsb_edge_cases_and_map() -> None:
    assert dsb_ap(EMPTY, EMPTY) == 1.0
    assert dsb_ap(square(), EMPTY) == 0.0 and dsb_ap(EMPTY, square()) == 0.0
    assert dsb_ap(*merged()) == 0.0  # TP 0, FP 1, FN 2
    assert dsb_map([square(), square(), EMPTY], [square(0), square(2), EMPTY]) == pytest.approx(
        (1.0 + 0.4 + 1.0) / 3
    )
    assert dsb_map(np.stack([square(), square()]), np.stack([square(), square(4)])) == 0.5


def test_average_precision() -> None:
    gt, pred = strip((0, 15), (4, 20))
    ap = average_precision([gt], [pred], (0.5, 0.55, 0.6))  # IoU ≥ t: 0.55 matches
    assert ap.ap.tolist() == [1.0, 1.0, 0.0] and ap.map == pytest.approx(2 / 3)
    half = average_precision([halves()[0]], [halves()[1]], (0.5,))
    assert half.ap.tolist() == [0.5] and (half.tp[0], half.fp[0], half.fn[0]) == (1, 1, 0)
    both = average_precision([square(), square()], [square(2), EMPTY], (0.5, 0.7))
    assert both.ap.tolist() == [0.5, 0.0]  # pooled: TP 1, FP 0, FN 1 at 0.5
    per = average_precision([square(), square()], [square(2), EMPTY], (0.5,), by_image=True)
    assert per.ap.tolist() == [0.5] and per.ap_per_image.tolist() == [[1.0], [0.0]]
    assert average_precision([EMPTY], [EMPTY]).map == 1.0
    assert average_precision([square()], [square()]).ap.shape == (10,)


def test_ctc_seg() -> None:
    assert ctc_seg([square()], [square(2)]) == pytest.approx(2 / 3)  # coverage 0.8
    assert ctc_seg([square()], [square(5)]) == 0.0  # coverage exactly 0.5: no match
    assert ctc_seg(*halves()) == 0.0
    assert ctc_seg(*merged()) == 0.5  # both GT objects matched by the merge, Jaccard 0.5
    # pooled over all GT objects: (2/3 + 0.5 + 0.5) / 3, not the mean of per-frame means
    assert ctc_seg([square(), merged()[0]], [square(2), merged()[1]]) == pytest.approx(
        (2 / 3 + 1.0) / 3
    )
    assert ctc_seg([square()], [EMPTY]) == 0.0
    assert ctc_seg([EMPTY], [EMPTY]) == 1.0 and ctc_seg([EMPTY], [square()]) == 0.0


def test_ctc_seg_no_overflow() -> None:
    gt = np.zeros((64, 64), np.uint8)
    gt[:, :40] = 255  # 2560 pixels
    pred = np.zeros_like(gt)
    pred[:, :21] = 200  # covers 1344 > 1280 = half of 2560
    assert ctc_seg([gt], [pred]) == pytest.approx(1344 / 2560)
    pred[:, 20] = 0  # 1280: exactly half, no match
    assert ctc_seg([gt], [pred]) == 0.0


def test_sbd_dic_dice() -> None:
    assert sbd(*halves()) == pytest.approx(2 / 3) and dic(*halves()) == 1
    assert sbd(*merged()) == pytest.approx(2 / 3) and dic(*merged()) == -1
    assert sbd(square(), square(2)) == pytest.approx(0.8)  # Dice 2·80/200
    assert sbd(square(), EMPTY) == 0.0 and sbd(EMPTY, square()) == 0.0 and sbd(EMPTY, EMPTY) == 1.0
    assert dice(*halves()) == 1.0 and dice(square(), square(2)) == pytest.approx(0.8)
    assert dice(EMPTY, EMPTY) == 1.0 and dice(square(), EMPTY) == 0.0
    assert dic(EMPTY, square()) == 1


def test_no_background_pixel_in_prediction() -> None:
    gt = np.zeros((4, 4), np.int16)
    gt[:, :2] = 1
    pred = np.ones_like(gt)
    pred[:, 2:] = 2
    assert dic(gt, pred) == 1 and sbd(gt, pred) == 0.5  # BestDice(pred, GT) = (1 + 0)/2
    assert dsb_ap(gt, pred) == 0.5 and dice(gt, pred) == pytest.approx(2 * 8 / (8 + 16))


@pytest.mark.parametrize(
    ("case", "cremi", "skimage"),
    [(halves, 1 / 3, 0.4), (merged, 1 / 3, 0.4)],
)
def test_adapted_rand_golden(case, cremi: float, skimage: float) -> None:
    gt, pred = case()
    assert adapted_rand_error(gt, pred, "cremi") == pytest.approx(cremi, abs=1e-15)
    assert adapted_rand_error(gt, pred, "skimage") == pytest.approx(skimage, abs=1e-15)


def test_adapted_rand_definitions_differ_on_unlabeled_prediction() -> None:
    gt = np.zeros((4, 4), np.uint8)
    gt[0, :4], gt[1, :4] = 1, 2  # two 4-pixel objects in 16 pixels
    empty = np.zeros_like(gt)
    assert adapted_rand_error(gt, empty, "cremi") == pytest.approx(63 / 65)
    assert adapted_rand_error(gt, empty, "skimage") == pytest.approx(0.4)
    one = (gt > 0).astype(np.uint8)
    assert adapted_rand_error(one, empty, "skimage") == 0.0  # unlabeled = one segment
    assert adapted_rand_error(one, empty, "cremi") > 0.9


def test_adapted_rand_edge_cases() -> None:
    for definition in ("cremi", "skimage"):
        assert adapted_rand_error(EMPTY, EMPTY, definition) == 0.0
        assert adapted_rand_error(EMPTY, square(), definition) == 1.0
        assert adapted_rand_error(square(), square(), definition) == 0.0
    dots = np.zeros((3, 3), np.int32)
    dots[0, 0], dots[2, 2] = 1, 2
    assert adapted_rand_error(dots, dots * 3, "skimage") == 0.0
    with pytest.raises(InputError, match="definition"):
        adapted_rand_error(square(), square(), "snemi")
