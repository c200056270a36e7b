"""Every shared metric of one image from one overlap computation, and their dataset pooling.

Used by :mod:`cellbench.evaluation` (``per_image.csv`` rows and ``summary.json``). Both-empty
and empty-GT conventions are those of the individual metric modules; no value is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cellbench.errors import InputError
from cellbench.metrics.ctc import seg_sum, seg_value
from cellbench.metrics.cvppp import dice_overlap, sbd_overlap
from cellbench.metrics.dsb import DSB_THRESHOLDS, dsb_ratio, dsb_tp
from cellbench.metrics.matching import Matching, match_overlap, stats
from cellbench.metrics.overlap import overlap
from cellbench.metrics.rand import rand_overlap

F1_THRESHOLD = 0.5
THRESHOLD_KEYS = tuple(f"{t:.2f}" for t in DSB_THRESHOLDS)
# Per-image values whose dataset value is their mean over images.
MEAN_OVER_IMAGES = ("sbd", "dic", "abs_dic", "arand_cremi", "arand_skimage", "dice")


def _f1_scores(m: Matching) -> dict[str, float | int]:
    """Counts and ratios of the one-to-one matching at IoU ≥ 0.5, as stored per image and pooled."""
    return {
        "tp": m.tp,
        "fp": m.fp,
        "fn": m.fn,
        "precision": m.precision,
        "recall": m.recall,
        "f1": m.f1,
        "mean_matched_iou": m.mean_matched_score,
    }


def image_scores(gt: np.ndarray, pred: np.ndarray) -> dict[str, float | int]:
    """All shared metrics of one image pair (see :func:`metric_parameters` for definitions).

    Keys: ``n_gt, n_pred, tp, fp, fn, precision, recall, f1, mean_matched_iou`` (StarDist
    matching at IoU ≥ 0.5), ``dsb_ap`` and ``dsb_ap_0.50 … dsb_ap_0.95`` (Kaggle DSB, IoU > t)
    with their counts ``dsb_tp_0.50 …``, ``seg_sum, seg_n, seg`` (CTC), ``sbd, dic, abs_dic``
    (CVPPP), ``arand_cremi, arand_skimage`` and ``dice``.
    """
    ov = overlap(gt, pred)
    tp, score_sum = match_overlap(ov, F1_THRESHOLD, "iou")
    m = stats("iou", F1_THRESHOLD, tp, ov.n_gt, ov.n_pred, score_sum)
    dsb_tps = dsb_tp(ov, DSB_THRESHOLDS)
    dsb_aps = dsb_ratio(dsb_tps, ov.n_pred - dsb_tps, ov.n_gt - dsb_tps)
    s_sum, s_n = seg_sum(ov)
    scores: dict[str, float | int] = {
        "n_gt": ov.n_gt,
        "n_pred": ov.n_pred,
        **_f1_scores(m),
        "dsb_ap": float(dsb_aps.mean()),
    }
    scores.update({f"dsb_ap_{k}": float(v) for k, v in zip(THRESHOLD_KEYS, dsb_aps, strict=True)})
    scores.update({f"dsb_tp_{k}": int(v) for k, v in zip(THRESHOLD_KEYS, dsb_tps, strict=True)})
    scores.update(
        {
            "seg_sum": s_sum,
            "seg_n": s_n,
            "seg": seg_value(s_sum, s_n, ov.n_pred),
            "sbd": sbd_overlap(ov),
            "dic": ov.n_pred - ov.n_gt,
            "abs_dic": abs(ov.n_pred - ov.n_gt),
            "arand_cremi": rand_overlap(ov, "cremi"),
            "arand_skimage": rand_overlap(ov, "skimage"),
            "dice": dice_overlap(ov),
        }
    )
    return scores


def _column(rows: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    try:
        values = np.array([float(row[key]) for row in rows])
    except KeyError as exc:
        raise InputError(None, f"per-image scores lack the column {key!r}") from exc
    if not np.all(np.isfinite(values)):
        raise InputError(None, f"per-image column {key!r} has non-finite values")
    return values


def dataset_scores(rows: Sequence[Mapping[str, Any]]) -> dict[str, float | int]:
    """Pool :func:`image_scores` rows over a dataset (or a group of images).

    Pooled counts: TP/FP/FN → precision, recall, F1, mean matched IoU (StarDist
    ``matching_dataset``); SEG = Σseg_sum / Σseg_n (CTC, over all GT objects);
    ``dsb_ap_t`` = ΣTP/(ΣTP+ΣFP+ΣFN) at IoU > t and ``dsb_map_pooled`` their mean.
    Means over images: ``dsb_map`` (Kaggle), SBD, DiC, |DiC|, both adapted Rand errors, Dice.
    """
    rows = list(rows)
    if not rows:
        raise InputError(None, "no per-image scores to pool")

    def total(key: str) -> int:
        return int(_column(rows, key).sum())

    tp, n_gt, n_pred = total("tp"), total("n_gt"), total("n_pred")
    score_sum = float((_column(rows, "mean_matched_iou") * _column(rows, "tp")).sum())
    m = stats("iou", F1_THRESHOLD, tp, n_gt, n_pred, score_sum)
    out: dict[str, float | int] = {
        "n_images": len(rows),
        "n_gt": n_gt,
        "n_pred": n_pred,
        **_f1_scores(m),
        "seg": seg_value(float(_column(rows, "seg_sum").sum()), total("seg_n"), n_pred),
        "dsb_map": float(_column(rows, "dsb_ap").mean()),
    }
    dsb_tps = np.array([total(f"dsb_tp_{k}") for k in THRESHOLD_KEYS])
    pooled = dsb_ratio(dsb_tps, n_pred - dsb_tps, n_gt - dsb_tps)
    out.update({f"dsb_ap_{k}": float(v) for k, v in zip(THRESHOLD_KEYS, pooled, strict=True)})
    out["dsb_map_pooled"] = float(pooled.mean())
    out.update({key: float(_column(rows, key).mean()) for key in MEAN_OVER_IMAGES})
    return out


def metric_parameters() -> dict[str, dict[str, Any]]:
    """Definition, threshold and pooling of every metric in :func:`dataset_scores` (for JSON)."""
    both_empty = "image with empty GT: 1.0 if the prediction is empty too, else 0.0"
    return {
        "f1": {
            "definition": "StarDist matching: one-to-one Hungarian, IoU >= threshold",
            "threshold": F1_THRESHOLD,
            "pooling": "TP/FP/FN summed over images; precision/recall/F1 0 when TP = 0",
            "reference": "stardist.matching.matching_dataset (0.9.2)",
        },
        "seg": {
            "definition": "CTC SEG: GT R matched by S iff |R∩S| > 0.5|R|; Jaccard, 0 if unmatched",
            "pooling": "sum over all GT objects of all images / number of GT objects",
            "frames": "every annotated frame, partially annotated ones included (CTC); every "
            "other score uses only the fully annotated frames (counts: seg_n_images, "
            "seg_n_objects, detection_n_images, detection_n_objects)",
            "empty": "no GT object at all: 1.0 if nothing is predicted, else 0.0",
        },
        "dsb_map": {
            "definition": "Kaggle DSB 2018: match iff IoU > t; per image mean over t of TP/(TP+FP+FN)",
            "thresholds": list(DSB_THRESHOLDS),
            "pooling": "mean over images",
            "empty": both_empty,
        },
        "dsb_ap_t": {
            "definition": "IoU > t, TP/FP/FN summed over images, TP/(TP+FP+FN)",
            "thresholds": list(DSB_THRESHOLDS),
            "pooling": "pooled counts; dsb_map_pooled = mean over thresholds",
        },
        "sbd": {
            "definition": "CVPPP symmetric best Dice: min(BestDice(pred,GT), BestDice(GT,pred))",
            "background": "label 0",
            "pooling": "mean over images",
            "empty": both_empty,
        },
        "dic": {"definition": "CVPPP DiC = #pred - #GT; abs_dic = |DiC|", "pooling": "mean"},
        "arand_cremi": {
            "definition": "adapted Rand error, cremi_python adapted_rand (GT 0 ignored)",
            "pooling": "mean over images",
            "empty": "GT without foreground: 0.0 if prediction empty, else 1.0",
        },
        "arand_skimage": {
            "definition": "adapted Rand error, skimage.metrics.adapted_rand_error (GT 0 ignored)",
            "pooling": "mean over images",
            "empty": "GT without foreground: 0.0 if prediction empty, else 1.0",
        },
        "dice": {
            "definition": "binary foreground Dice 2|G∩P|/(|G|+|P|)",
            "pooling": "mean over images",
            "empty": "both empty: 1.0",
        },
    }
