"""CVPPP leaf-segmentation measures (Scharr et al. 2016): SBD and DiC; binary Dice.

BestDice(A, B) = mean over objects a of A of max over objects b of B of 2|a∩b|/(|a|+|b|)
(no one-to-one constraint); SBD = min(BestDice(pred, GT), BestDice(GT, pred)).
DiC = #pred − #GT (signed), |DiC| its absolute value.

Differences from the CVPPP reference script (documented in docs/deviations.md): background is
label 0 (the script treats the *lowest* label as background, so a prediction without a
background pixel would lose an object), and only labels present are objects (the script
divides by max − min label). Edge cases: both empty → SBD 1.0; exactly one empty → 0.0.
"""

from __future__ import annotations

import numpy as np

from cellbench.metrics.overlap import Overlap, check_pair, overlap


def _best_dice(ov: Overlap) -> tuple[float, float]:
    """(BestDice(GT, pred), BestDice(pred, GT)) of one image with both sides non-empty."""
    dice = 2 * ov.inter / (ov.gt_area[ov.rows] + ov.pred_area[ov.cols])
    best_gt = np.zeros(ov.n_gt)
    best_pred = np.zeros(ov.n_pred)
    np.maximum.at(best_gt, ov.rows, dice)
    np.maximum.at(best_pred, ov.cols, dice)
    return float(best_gt.mean()), float(best_pred.mean())


def sbd_overlap(ov: Overlap) -> float:
    """Symmetric best Dice from a precomputed :class:`Overlap`."""
    if ov.n_gt == 0 or ov.n_pred == 0:
        return 1.0 if ov.n_gt == ov.n_pred else 0.0
    return min(_best_dice(ov))


def sbd(gt: np.ndarray, pred: np.ndarray) -> float:
    """CVPPP symmetric best Dice (min of both directions); both empty → 1.0, one empty → 0.0."""
    return sbd_overlap(overlap(gt, pred))


def dic(gt: np.ndarray, pred: np.ndarray) -> int:
    """CVPPP difference in count, #pred − #GT (labels other than 0 that occur)."""
    ov = overlap(gt, pred)
    return ov.n_pred - ov.n_gt


def dice_overlap(ov: Overlap) -> float:
    """Binary foreground Dice from a precomputed :class:`Overlap`."""
    den = int(ov.gt_area.sum() + ov.pred_area.sum())
    return 1.0 if den == 0 else 2 * int(ov.inter.sum()) / den


def dice(gt: np.ndarray, pred: np.ndarray) -> float:
    """Binary Dice 2|G∩P|/(|G|+|P|) of the foregrounds (label ≠ 0); both empty → 1.0."""
    gt, pred = check_pair(gt, pred)
    g, p = gt != 0, pred != 0
    den = int(np.count_nonzero(g)) + int(np.count_nonzero(p))
    return 1.0 if den == 0 else 2 * int(np.count_nonzero(g & p)) / den
