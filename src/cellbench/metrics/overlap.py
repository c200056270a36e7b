"""Input validation and the GT × prediction contingency table, computed once per image pair.

Every instance metric of :mod:`cellbench.metrics` is a function of this table: object areas,
the sparse list of overlapping (GT, prediction) object pairs and the pixels of each GT object
left in the prediction's background. Labels may have any integer dtype and need not be
consecutive; 0 is background. All counts are int64, so uint8/uint16 labels never overflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cellbench.errors import InputError

# Lookup-table route while labels are at most this large (or 2× the pixel count) and the dense
# (objects + 1)² table has at most _DENSE_CELLS cells; sorting otherwise. Images of fewer than
# _COMPILED_PIXELS pixels take NumPy passes: importing and loading the compiled kernels (~2 s
# per process) costs more than they save there. Both routes give the same table.
_LUT_LABELS = 1 << 22
_DENSE_CELLS = 1 << 23
_COMPILED_PIXELS = 1 << 20


def check_labels(labels: np.ndarray, name: str) -> np.ndarray:
    """Return ``labels`` as an array; raise :class:`InputError` unless non-negative integers."""
    array = np.asarray(labels)
    if not np.issubdtype(array.dtype, np.integer):
        raise InputError(None, f"{name} must have an integer dtype, got {array.dtype}")
    if array.size and np.issubdtype(array.dtype, np.signedinteger) and array.min() < 0:
        raise InputError(None, f"{name} has negative labels (min {array.min()}); 0 is background")
    return array


def check_pair(gt: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate one ground-truth / prediction pair (integer, non-negative, same shape)."""
    gt, pred = check_labels(gt, "ground truth"), check_labels(pred, "prediction")
    if gt.shape != pred.shape:
        raise InputError(
            None, f"ground truth shape {gt.shape} differs from prediction shape {pred.shape}"
        )
    return gt, pred


def as_image_list(images: Sequence[np.ndarray] | np.ndarray) -> list[np.ndarray]:
    """A list of label images: a sequence, a stack (ndim ≥ 3, axis 0) or one 2-D image."""
    if isinstance(images, np.ndarray):
        return [images] if images.ndim <= 2 else list(images)
    return list(images)


def check_lists(
    gts: Sequence[np.ndarray] | np.ndarray, preds: Sequence[np.ndarray] | np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pair up two lists of label images of equal length (at least one image)."""
    gt_list, pred_list = as_image_list(gts), as_image_list(preds)
    if len(gt_list) != len(pred_list):
        raise InputError(
            None, f"{len(gt_list)} ground-truth images but {len(pred_list)} predictions"
        )
    if not gt_list:
        raise InputError(None, "no images given")
    return [check_pair(g, p) for g, p in zip(gt_list, pred_list, strict=True)]


@dataclass(frozen=True)
class Overlap:
    """Contingency table of one image pair (objects indexed 0..n-1 in label order).

    ``gt_ids``/``pred_ids``: original labels of the objects; ``gt_area``/``pred_area``: their
    pixel counts; ``rows``/``cols``/``inter``: every overlapping object pair and its
    intersection; ``gt_in_bg``: pixels of each GT object that the prediction leaves at 0;
    ``n_pixels``: image size. All counts int64.
    """

    gt_ids: np.ndarray
    pred_ids: np.ndarray
    gt_area: np.ndarray
    pred_area: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    inter: np.ndarray
    gt_in_bg: np.ndarray
    n_pixels: int

    @property
    def n_gt(self) -> int:
        return len(self.gt_ids)

    @property
    def n_pred(self) -> int:
        return len(self.pred_ids)

    def pair_scores(self, criterion: str = "iou") -> np.ndarray:
        """Score of every overlapping pair: ``iou``, ``iot`` (∩/|GT|) or ``iop`` (∩/|pred|)."""
        inter = self.inter.astype(np.float64)
        if criterion == "iou":
            return inter / (self.gt_area[self.rows] + self.pred_area[self.cols] - self.inter)
        if criterion == "iot":
            return inter / self.gt_area[self.rows]
        if criterion == "iop":
            return inter / self.pred_area[self.cols]
        raise InputError(None, f"unknown matching criterion {criterion!r} (iou, iot, iop)")


def _pair_counts(g: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels and pixel count of every non-empty cell of the (gt, pred) contingency table."""
    if g.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    gmax, pmax = int(g.max()), int(p.max())
    if max(gmax, pmax) <= max(_LUT_LABELS, 2 * g.size):
        g64, p64 = g.astype(np.int64, copy=False), p.astype(np.int64, copy=False)
        if g.size < _COMPILED_PIXELS:
            present_index, pair_table = _present_index, _pair_table
        else:
            from cellbench.metrics._kernels import pair_table, present_index

        lut_g, n_g = present_index(g64, gmax)
        lut_p, n_p = present_index(p64, pmax)
        if (n_g + 1) * (n_p + 1) <= _DENSE_CELLS:
            rows, cols, counts = pair_table(g64, p64, lut_g, lut_p, n_g, n_p)
            g_ids, p_ids = _ids(lut_g, n_g), _ids(lut_p, n_p)
            return g_ids[rows], p_ids[cols], counts
    # Sparse route (huge label values or object counts): sort the combined keys.
    g_ids, g_idx = np.unique(g, return_inverse=True)
    p_ids, p_idx = np.unique(p, return_inverse=True)
    key = g_idx.astype(np.int64).ravel() * len(p_ids) + p_idx.ravel()
    cells, counts = np.unique(key, return_counts=True)
    return g_ids[cells // len(p_ids)], p_ids[cells % len(p_ids)], counts.astype(np.int64)


def _present_index(labels: np.ndarray, max_label: int) -> tuple[np.ndarray, int]:
    """NumPy twin of :func:`cellbench.metrics._kernels.present_index`."""
    present = np.bincount(labels, minlength=max_label + 1) > 0
    present[0] = False
    lut = np.zeros(max_label + 1, np.int32)
    n = int(present.sum())
    lut[present] = np.arange(1, n + 1, dtype=np.int32)
    return lut, n


def _pair_table(
    g: np.ndarray, p: np.ndarray, lut_g: np.ndarray, lut_p: np.ndarray, n_g: int, n_p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NumPy twin of :func:`cellbench.metrics._kernels.pair_table` (same cells, same order)."""
    width = n_p + 1
    table = np.bincount(lut_g[g].astype(np.int64) * width + lut_p[p], minlength=(n_g + 1) * width)
    cells = np.flatnonzero(table)
    return cells // width, cells % width, table[cells].astype(np.int64)


def _ids(lut: np.ndarray, n: int) -> np.ndarray:
    """Labels in index order (index 0 → label 0) from a ``present_index`` lookup table."""
    ids = np.zeros(n + 1, np.int64)
    present = np.flatnonzero(lut)
    ids[lut[present]] = present
    return ids


def overlap(gt: np.ndarray, pred: np.ndarray) -> Overlap:
    """Validate ``gt``/``pred`` and compute their :class:`Overlap` (one pass over the pixels)."""
    gt, pred = check_pair(gt, pred)
    g_lab, p_lab, counts = _pair_counts(gt.ravel(), pred.ravel())
    g_fg, p_fg = g_lab != 0, p_lab != 0
    gt_ids, pred_ids = np.unique(g_lab[g_fg]), np.unique(p_lab[p_fg])
    g_row = np.searchsorted(gt_ids, g_lab)
    p_col = np.searchsorted(pred_ids, p_lab)
    n_gt, n_pred = len(gt_ids), len(pred_ids)
    gt_area = np.bincount(g_row[g_fg], weights=counts[g_fg], minlength=n_gt).astype(np.int64)
    pred_area = np.bincount(p_col[p_fg], weights=counts[p_fg], minlength=n_pred).astype(np.int64)
    both, in_bg = g_fg & p_fg, g_fg & ~p_fg
    gt_in_bg = np.zeros(n_gt, np.int64)
    gt_in_bg[g_row[in_bg]] = counts[in_bg]
    return Overlap(
        gt_ids=gt_ids,
        pred_ids=pred_ids,
        gt_area=gt_area,
        pred_area=pred_area,
        rows=g_row[both].astype(np.int64),
        cols=p_col[both].astype(np.int64),
        inter=counts[both],
        gt_in_bg=gt_in_bg,
        n_pixels=int(gt.size),
    )
