"""Adapted Rand error, in its two incompatible published definitions.

Both ignore pixels that are background (0) in the GT; they differ in how they treat GT pixels
that the prediction leaves at 0 and in pair counting:

* ``"cremi"`` — ``cremi_python`` ``cremi.evaluation.rand.adapted_rand`` (also SNEMI3D /
  PlantSeg / SPOCO code): sums of squared counts (self-pairs included); prediction-0 pixels
  inside GT objects add only ``#such pixels / #all pixels`` to both the prediction and the
  joint term (they behave almost like singletons). error = 1 − 2PR/(P+R).
* ``"skimage"`` — ``skimage.metrics.adapted_rand_error`` (0.26): prediction label 0 is an
  ordinary segment, pairs exclude self-pairs (Σn² − Σn); error = 1 − Σp²/(½Σa² + ½Σb²).

An unlabeled prediction of a one-object GT is therefore perfect for ``skimage`` and ≈ 1 for
``cremi``. Edge cases (the references give 0/0 = NaN): GT without foreground → 0.0 if the
prediction is empty as well, else 1.0; ``skimage`` when every GT object and every prediction
segment inside the GT is a single pixel (no pixel pairs; the partitions are then identical) → 0.0.
"""

from __future__ import annotations

import numpy as np

from cellbench.errors import InputError
from cellbench.metrics.overlap import Overlap, overlap

DEFINITIONS = ("cremi", "skimage")


def _cremi(ov: Overlap) -> float:
    a_i = ov.gt_area.astype(np.float64)
    b_i = np.bincount(ov.cols, weights=ov.inter, minlength=ov.n_pred)
    c = float(ov.gt_in_bg.sum()) / ov.n_pixels
    sum_a = float(a_i @ a_i)
    sum_b = float(b_i @ b_i) + c
    sum_ab = float(ov.inter.astype(np.float64) @ ov.inter) + c
    precision, recall = sum_ab / sum_b, sum_ab / sum_a
    return 1.0 - 2.0 * precision * recall / (precision + recall)


def _skimage(ov: Overlap) -> float:
    n_fg = float(ov.gt_area.sum())
    inter = ov.inter.astype(np.float64)
    in_bg = ov.gt_in_bg.astype(np.float64)
    sum_p2 = float(inter @ inter + in_bg @ in_bg) - n_fg
    a_i = ov.gt_area.astype(np.float64)
    b_i = np.append(np.bincount(ov.cols, weights=inter, minlength=ov.n_pred), in_bg.sum())
    sum_a2 = float(a_i @ a_i) - n_fg
    sum_b2 = float(b_i @ b_i) - n_fg
    den = 0.5 * sum_a2 + 0.5 * sum_b2
    if den == 0:  # only single-pixel segments on both sides: identical partitions
        return 0.0
    return 1.0 - sum_p2 / den


def rand_overlap(ov: Overlap, definition: str = "cremi") -> float:
    """Adapted Rand error of a precomputed :class:`Overlap` (see module docstring)."""
    if definition not in DEFINITIONS:
        raise InputError(None, f"unknown adapted Rand definition {definition!r} {DEFINITIONS}")
    if ov.n_gt == 0:
        return 0.0 if ov.n_pred == 0 else 1.0
    return _cremi(ov) if definition == "cremi" else _skimage(ov)


def adapted_rand_error(gt: np.ndarray, pred: np.ndarray, definition: str = "cremi") -> float:
    """Adapted Rand error (1 − Rand F-score) under ``definition`` "cremi" or "skimage"."""
    if definition not in DEFINITIONS:
        raise InputError(None, f"unknown adapted Rand definition {definition!r} {DEFINITIONS}")
    return rand_overlap(overlap(gt, pred), definition)
