"""Aggregated Jaccard Index (Kumar et al., IEEE TMI 36(7):1550–1560, 2017, §IV-B).

For every ground-truth object G_i take the predicted object S_j with the largest IoU with
G_i (lowest label on ties; none when G_i overlaps no prediction). C = Σ_i |G_i ∩ S_j(i)|,
U = Σ_i |G_i ∪ S_j(i)| (|G_i| when unmatched) plus the area of every predicted object that is
no GT object's best match; AJI = C / U. A prediction chosen by several GT objects counts in
each of their unions, as in the original definition. Edge cases: both empty → 1.0; exactly
one side empty → 0.0.
"""

from __future__ import annotations

import numpy as np

from cellbench.metrics.overlap import Overlap, check_pair, overlap


def aji_overlap(ov: Overlap) -> float:
    """AJI of one image from a precomputed :class:`Overlap`."""
    if ov.n_gt == 0 or ov.n_pred == 0:
        return 1.0 if ov.n_gt == ov.n_pred else 0.0
    iou = ov.pair_scores("iou")
    # best prediction per GT object: sort by (gt, -iou, pred) and take the first of each gt
    order = np.lexsort((ov.cols, -iou, ov.rows))
    rows, first = np.unique(ov.rows[order], return_index=True)
    best = order[first]
    cols = ov.cols[best]
    inter = ov.inter[best]
    matched_gt = np.zeros(ov.n_gt, dtype=bool)
    matched_gt[rows] = True
    used = np.zeros(ov.n_pred, dtype=bool)
    used[cols] = True
    c = int(inter.sum())
    u = int((ov.gt_area[rows] + ov.pred_area[cols] - inter).sum())
    u += int(ov.gt_area[~matched_gt].sum()) + int(ov.pred_area[~used].sum())
    return c / u


def aji(gt: np.ndarray, pred: np.ndarray) -> float:
    """Aggregated Jaccard Index of one image (labels: 0 background, any integer dtype)."""
    gt, pred = check_pair(gt, pred)
    return aji_overlap(overlap(gt, pred))
