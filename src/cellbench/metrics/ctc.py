"""Cell Tracking Challenge SEG measure.

Definition (CTC, Maška et al. 2014; Ulman et al. 2017): a GT object R matches the predicted
object S iff |R ∩ S| > 0.5·|R| (strict; at most one S can qualify); its score is the Jaccard
index |R ∩ S| / |R ∪ S|, 0 if no S qualifies. SEG is the mean over **all GT objects of all
frames** (pooled, not a mean of per-frame means). Coverage is compared in int64 (2·|R∩S| > |R|),
so no label dtype overflows and a coverage of exactly 0.5 does not match.

Edge case: with no GT object at all, SEG is undefined; cellbench reports 1.0 if no object is
predicted either and 0.0 otherwise (never NaN).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cellbench.metrics.overlap import Overlap, check_lists, overlap


def seg_sum(ov: Overlap) -> tuple[float, int]:
    """Sum of the CTC Jaccard scores of the GT objects of one image, and their number."""
    hit = 2 * ov.inter > ov.gt_area[ov.rows]
    inter = ov.inter[hit]
    union = ov.gt_area[ov.rows[hit]] + ov.pred_area[ov.cols[hit]] - inter
    return float(np.sum(inter / union)), ov.n_gt


def seg_value(total: float, n_gt: int, n_pred: int) -> float:
    """SEG from pooled sums; 1.0 / 0.0 (no prediction / some prediction) when n_gt is 0."""
    if n_gt == 0:
        return 1.0 if n_pred == 0 else 0.0
    return total / n_gt


def ctc_seg(
    gts: Sequence[np.ndarray] | np.ndarray, preds: Sequence[np.ndarray] | np.ndarray
) -> float:
    """CTC SEG pooled over all GT objects of all frames (a single 2-D image is one frame)."""
    total, n_gt, n_pred = 0.0, 0, 0
    for gt, pred in check_lists(gts, preds):
        ov = overlap(gt, pred)
        s, n = seg_sum(ov)
        total, n_gt, n_pred = total + s, n_gt + n, n_pred + ov.n_pred
    return seg_value(total, n_gt, n_pred)
