"""Nuclei scores of paper 002 (Hu et al., Sec. IV-D "Evaluation") and dot-annotation detection.

``nuclei_pixel_scores``: a predicted instance I is matched with a ground-truth nucleus G iff
|I ∩ G| > 0.5·|G| (strict; at most one I can qualify per G). The overlap pixels of matched
pairs are TP; every other predicted pixel is FP and every other ground-truth pixel FN.
IoU = TP / (TP + FP + FN), F = 2TP / (2TP + FP + FN).

``dot_detection``: objects against point annotations (x, y), one dot per object: an object
containing at least one dot is a TP (further dots inside it are FN), an object without a dot
is an FP, a dot outside every object is an FN. ``pooled_dot_detection`` sums the counts over
images; ``dot_parameters`` records the convention with every evaluation summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cellbench.errors import InputError
from cellbench.metrics.overlap import overlap


def nuclei_pixel_scores(gt: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """TP/FP/FN pixel counts, IoU and F-score of one image under the > 0.5·|G| rule."""
    ov = overlap(gt, pred)
    matched = ov.inter * 2 > ov.gt_area[ov.rows]
    tp = int(ov.inter[matched].sum())
    fp = int(ov.pred_area.sum()) - tp
    fn = int(ov.gt_area.sum()) - tp
    denom = tp + fp + fn
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "iou": tp / denom if denom else 1.0,
        "f_score": 2 * tp / (2 * tp + fp + fn) if denom else 1.0,
    }


def dot_detection(labels: np.ndarray, dots: np.ndarray) -> dict[str, float]:
    """Detection counts, precision, recall and F1 of ``labels`` against dots (N, 2) = (x, y)."""
    labels = np.asarray(labels)
    dots = np.asarray(dots, dtype=np.int64).reshape(-1, 2)
    if labels.ndim != 2:
        raise InputError(None, f"expected a 2-D label image, got shape {labels.shape}")
    x, y = dots[:, 0], dots[:, 1]
    inside = (x >= 0) & (y >= 0) & (x < labels.shape[1]) & (y < labels.shape[0])
    if not inside.all():
        raise InputError(None, f"{int((~inside).sum())} dots lie outside the {labels.shape} image")
    hit = labels[y, x]
    n_objects = int(np.unique(labels[labels > 0]).size)
    tp = int(np.unique(hit[hit > 0]).size)
    return {
        "objects": n_objects,
        "dots": len(dots),
        "tp": tp,
        "fp": n_objects - tp,
        "fn": len(dots) - tp,
        **_ratios(n_objects, len(dots), tp),
    }


def _ratios(objects: int, dots: int, tp: int) -> dict[str, float]:
    fp, fn = objects - tp, dots - tp
    return {
        "precision": tp / objects if objects else 0.0,
        "recall": tp / dots if dots else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0,
    }


def pooled_dot_detection(rows: Sequence[Mapping[str, Any]]) -> dict[str, float | int]:
    """:func:`dot_detection` counts summed over images, their ratios and objects per dot."""
    rows = list(rows)
    if not rows:
        raise InputError(None, "no per-image dot scores to pool")
    counts = {key: int(sum(int(row[key]) for row in rows)) for key in ("objects", "dots", "tp")}
    objects, dots, tp = counts["objects"], counts["dots"], counts["tp"]
    return {
        "n_images": len(rows),
        **counts,
        "fp": objects - tp,
        "fn": dots - tp,
        **_ratios(objects, dots, tp),
        "objects_per_dot": objects / dots if dots else 0.0,
    }


def dot_parameters() -> dict[str, dict[str, Any]]:
    """Definition and pooling of the dot-detection scores (for the evaluation summary)."""
    return {
        "dot_detection": {
            "definition": "one dot per object: a predicted object containing >= 1 dot is one TP "
            "(further dots in it are FN), an object without a dot is an FP, a dot on "
            "background is an FN; precision TP/objects, recall TP/dots, F1 2TP/(2TP+FP+FN)",
            "dot_location": "the label value at the dot's pixel (y, x), 0-based",
            "pooling": "objects, dots and TP summed over images; objects_per_dot = objects/dots",
            "empty": "no object: precision 0; no dot: recall 0; neither: F1 1.0",
        }
    }
