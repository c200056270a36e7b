"""Kaggle Data Science Bowl 2018 score and DSB-style average precision.

``dsb_*``: the Kaggle DSB 2018 evaluation. A GT and a predicted object match iff their IoU is
strictly **greater** than t (for t ≥ 0.5 such a match is unique, so no assignment is needed);
per image and threshold TP/(TP+FP+FN), averaged over t = 0.50, 0.55 … 0.95, then over images.
``average_precision``: the same ratio with StarDist's one-to-one matching at IoU **≥** t,
pooled over the dataset by default (as cellpose's ``metrics.average_precision`` per image).

Edge case (both definitions give 0/0): an image whose GT and prediction are both empty
scores 1.0 at every threshold (nothing to find, nothing predicted); an image with an empty GT
and any predicted object scores 0.0; an empty prediction scores 0.0. No value is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cellbench.errors import InputError
from cellbench.metrics.matching import match_overlap
from cellbench.metrics.overlap import Overlap, check_lists, overlap

# 0.50, 0.55 … 0.95 as correctly rounded doubles (k/100), so IoU = 11/20 equals t = 0.55.
DSB_THRESHOLDS: tuple[float, ...] = tuple(k / 100 for k in range(50, 100, 5))


def dsb_ratio(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """TP/(TP+FP+FN) elementwise, 1.0 where all three are 0 (both images empty)."""
    tp, fp, fn = (np.asarray(x, dtype=np.float64) for x in (tp, fp, fn))
    den = tp + fp + fn
    return np.divide(tp, den, out=np.ones_like(den), where=den > 0)


def dsb_tp(ov: Overlap, thresholds: Sequence[float] = DSB_THRESHOLDS) -> np.ndarray:
    """Number of GT objects with a predicted object at IoU > t, for each t (t ≥ 0.5)."""
    if min(thresholds) < 0.5:
        raise InputError(None, f"DSB thresholds must be ≥ 0.5 (unique matches), got {thresholds}")
    iou = ov.pair_scores("iou")
    return np.array([np.count_nonzero(iou > t) for t in thresholds], dtype=np.int64)


def dsb_ap_per_threshold(
    gt: np.ndarray, pred: np.ndarray, thresholds: Sequence[float] = DSB_THRESHOLDS
) -> np.ndarray:
    """Kaggle DSB 2018 TP/(TP+FP+FN) of one image at each threshold (IoU > t)."""
    ov = overlap(gt, pred)
    tp = dsb_tp(ov, thresholds)
    return dsb_ratio(tp, ov.n_pred - tp, ov.n_gt - tp)


def dsb_ap(gt: np.ndarray, pred: np.ndarray) -> float:
    """Kaggle DSB 2018 score of one image: mean over t = 0.50 … 0.95 of TP/(TP+FP+FN)."""
    return float(dsb_ap_per_threshold(gt, pred).mean())


def dsb_map(
    gts: Sequence[np.ndarray] | np.ndarray, preds: Sequence[np.ndarray] | np.ndarray
) -> float:
    """Kaggle DSB 2018 mean average precision: the per-image :func:`dsb_ap` averaged over images."""
    return float(np.mean([dsb_ap(g, p) for g, p in check_lists(gts, preds)]))


@dataclass(frozen=True)
class AveragePrecision:
    """AP = TP/(TP+FP+FN) per threshold (pooled or mean over images) and their mean (mAP)."""

    thresholds: tuple[float, ...]
    ap: np.ndarray
    map: float
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    ap_per_image: np.ndarray


def average_precision(
    gts: Sequence[np.ndarray] | np.ndarray,
    preds: Sequence[np.ndarray] | np.ndarray,
    thresholds: Sequence[float] = DSB_THRESHOLDS,
    by_image: bool = False,
) -> AveragePrecision:
    """DSB-style AP at each IoU threshold with one-to-one matching at IoU ≥ t (StarDist).

    ``ap[k]`` = ΣTP/(ΣTP+ΣFP+ΣFN) over all images (``by_image=False``) or the mean of the
    per-image ratios (``by_image=True``); ``ap_per_image`` (images × thresholds) equals
    cellpose's ``metrics.average_precision`` except that both-empty images give 1.0, not NaN;
    ``map`` = mean of ``ap`` over the thresholds (default 0.50:0.05:0.95). Counts are pooled.
    """
    thresholds = tuple(float(t) for t in thresholds)
    tps, fps, fns = [], [], []
    for gt, pred in check_lists(gts, preds):
        ov = overlap(gt, pred)
        tp = np.array([match_overlap(ov, t, "iou")[0] for t in thresholds], dtype=np.int64)
        tps.append(tp)
        fps.append(ov.n_pred - tp)
        fns.append(ov.n_gt - tp)
    tp, fp, fn = np.array(tps), np.array(fps), np.array(fns)
    per_image = dsb_ratio(tp, fp, fn)
    pooled_tp, pooled_fp, pooled_fn = tp.sum(0), fp.sum(0), fn.sum(0)
    ap = per_image.mean(0) if by_image else dsb_ratio(pooled_tp, pooled_fp, pooled_fn)
    return AveragePrecision(
        thresholds=thresholds,
        ap=ap,
        map=float(ap.mean()),
        tp=pooled_tp,
        fp=pooled_fp,
        fn=pooled_fn,
        ap_per_image=per_image,
    )
