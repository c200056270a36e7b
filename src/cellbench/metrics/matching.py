"""One-to-one object matching at a score threshold (StarDist convention, ``score ≥ thresh``).

Definition of ``stardist.matching.matching`` (0.9.2): GT and predicted objects are paired by a
Hungarian assignment (``scipy.optimize.linear_sum_assignment``) maximising first the number of
pairs with score ≥ thresh, then the sum of scores; a pair is a true positive iff its score is
≥ thresh. precision = TP/(TP+FP), recall = TP/(TP+FN), accuracy = TP/(TP+FP+FN) and
F1 = 2TP/(2TP+FP+FN) are 0 whenever TP = 0 (also when both images are empty), exactly as in
StarDist. The assignment is solved per connected component of the overlap graph, and skipped
where the pairs at or above the threshold already form a one-to-one matching (then every such
pair is matched in any optimal assignment), which gives StarDist's counts without a dense
n_gt × n_pred problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from cellbench.errors import InputError
from cellbench.metrics.overlap import Overlap, check_lists, overlap


@dataclass(frozen=True)
class Matching:
    """Matching statistics of one image or pooled over a dataset (StarDist field names)."""

    criterion: str
    thresh: float
    tp: int
    fp: int
    fn: int
    n_true: int
    n_pred: int
    precision: float
    recall: float
    accuracy: float
    f1: float
    mean_matched_score: float
    mean_true_score: float
    panoptic_quality: float

    @property
    def mean_matched_iou(self) -> float:
        """Mean score of the true positives (the IoU for ``criterion="iou"``)."""
        return self.mean_matched_score

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


_RATIOS = (
    "precision",
    "recall",
    "accuracy",
    "f1",
    "mean_matched_score",
    "mean_true_score",
    "panoptic_quality",
)


def _ratio(num: float, den: float) -> float:
    """``num/den``, 0.0 when ``den`` is 0 (StarDist's ``_safe_divide``)."""
    return float(num) / float(den) if den else 0.0


def stats(
    criterion: str, thresh: float, tp: int, n_true: int, n_pred: int, score_sum: float
) -> Matching:
    """Derived StarDist statistics from TP, object counts and the sum of matched scores."""
    fp, fn = n_pred - tp, n_true - tp
    return Matching(
        criterion=criterion,
        thresh=float(thresh),
        tp=int(tp),
        fp=int(fp),
        fn=int(fn),
        n_true=int(n_true),
        n_pred=int(n_pred),
        precision=tp / (tp + fp) if tp > 0 else 0.0,
        recall=tp / (tp + fn) if tp > 0 else 0.0,
        accuracy=tp / (tp + fp + fn) if tp > 0 else 0.0,
        f1=2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0,
        mean_matched_score=_ratio(score_sum, tp),
        mean_true_score=_ratio(score_sum, n_true),
        panoptic_quality=_ratio(score_sum, tp + fp / 2 + fn / 2),
    )


def _assign(
    scores: np.ndarray, rows: np.ndarray, cols: np.ndarray, thresh: float, n_matched: int
) -> tuple[int, float]:
    """TP and matched-score sum of StarDist's assignment on a (sub)set of object pairs."""
    from scipy.optimize import linear_sum_assignment  # on first use (see match_overlap)

    r_ids, r = np.unique(rows, return_inverse=True)
    c_ids, c = np.unique(cols, return_inverse=True)
    dense = np.zeros((len(r_ids), len(c_ids)))
    dense[r, c] = scores
    costs = -(dense >= thresh).astype(float) - dense / (2 * n_matched)
    ti, pi = linear_sum_assignment(costs)
    matched = dense[ti, pi]
    ok = matched >= thresh
    return int(ok.sum()), float(matched[ok].sum())


def match_overlap(ov: Overlap, thresh: float = 0.5, criterion: str = "iou") -> tuple[int, float]:
    """(TP, sum of matched scores) of StarDist's one-to-one matching at ``score ≥ thresh``."""
    n_matched = min(ov.n_gt, ov.n_pred)
    if n_matched == 0:
        return 0, 0.0
    scores = ov.pair_scores(criterion)
    if thresh <= 0:  # every pair, overlapping or not, reaches the threshold: dense problem
        rows = np.repeat(np.arange(ov.n_gt), ov.n_pred)
        cols = np.tile(np.arange(ov.n_pred), ov.n_gt)
        full = np.zeros((ov.n_gt, ov.n_pred))
        full[ov.rows, ov.cols] = scores
        return _assign(full.ravel(), rows, cols, thresh, n_matched)
    ok = scores >= thresh
    row_deg = np.bincount(ov.rows[ok], minlength=ov.n_gt)
    col_deg = np.bincount(ov.cols[ok], minlength=ov.n_pred)
    if row_deg.max(initial=0) <= 1 and col_deg.max(initial=0) <= 1:
        return int(ok.sum()), float(scores[ok].sum())
    # Conflicts: solve the assignment within each connected component that has one. scipy.sparse
    # and scipy.optimize are imported only here (~1 s together): at thresholds ≥ 0.5 on IoU the
    # pairs are always one-to-one, so most evaluation jobs never need them.
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    graph = coo_array(
        (np.ones(len(scores)), (ov.rows, ov.n_gt + ov.cols)),
        shape=(ov.n_gt + ov.n_pred, ov.n_gt + ov.n_pred),
    )
    _, component = connected_components(graph, directed=False)
    pair_comp = component[ov.rows]
    conflicted = np.zeros(component.max() + 1, bool)
    conflicted[component[: ov.n_gt][row_deg > 1]] = True
    conflicted[component[ov.n_gt :][col_deg > 1]] = True
    simple = ~conflicted[pair_comp] & ok
    tp, total = int(simple.sum()), float(scores[simple].sum())
    for comp in np.flatnonzero(conflicted):
        sel = pair_comp == comp
        c_tp, c_sum = _assign(scores[sel], ov.rows[sel], ov.cols[sel], thresh, n_matched)
        tp, total = tp + c_tp, total + c_sum
    return tp, total


def matching(
    gt: np.ndarray,
    pred: np.ndarray,
    thresh: float | Sequence[float] = 0.5,
    criterion: str = "iou",
) -> Matching | tuple[Matching, ...]:
    """StarDist ``matching``: TP/FP/FN, precision, recall, F1, accuracy, mean matched score.

    ``criterion``: ``iou``, ``iot`` (intersection over GT) or ``iop`` (over prediction). A
    sequence of thresholds gives one :class:`Matching` per threshold (one overlap computation).
    Empty prediction: TP = FP = 0, FN = #GT, all ratios 0; both empty: all counts and ratios 0.
    """
    ov = overlap(gt, pred)
    ov.pair_scores(criterion)  # validates the criterion name
    thresholds = [thresh] if np.isscalar(thresh) else list(thresh)  # type: ignore[arg-type]
    results = tuple(stats(criterion, t, *_counts(ov, float(t), criterion)) for t in thresholds)
    return results[0] if np.isscalar(thresh) else results


def _counts(ov: Overlap, thresh: float, criterion: str) -> tuple[int, int, int, float]:
    tp, score_sum = match_overlap(ov, thresh, criterion)
    return tp, ov.n_gt, ov.n_pred, score_sum


def matching_dataset(
    gts: Sequence[np.ndarray] | np.ndarray,
    preds: Sequence[np.ndarray] | np.ndarray,
    thresh: float | Sequence[float] = 0.5,
    by_image: bool = False,
    *,
    criterion: str = "iou",
) -> Matching | tuple[Matching, ...]:
    """StarDist ``matching_dataset``: counts pooled over all images (F1@0.5 as in CELLULUS).

    ``criterion`` is keyword-only (the fourth positional argument is ``by_image``).
    ``by_image=False``: precision/recall/accuracy/F1 and mean scores from the pooled TP, FP, FN
    and pooled matched-score sum. ``by_image=True``: those ratios are means of the per-image
    values (counts are still summed), as in StarDist.
    """
    if not isinstance(by_image, bool | np.bool_):
        raise InputError(None, f"by_image must be a bool, got {by_image!r}")
    pairs = check_lists(gts, preds)
    scalar = np.isscalar(thresh)
    thresholds = [float(thresh)] if scalar else [float(t) for t in thresh]  # type: ignore[union-attr]
    counts = []
    for gt, pred in pairs:
        ov = overlap(gt, pred)
        ov.pair_scores(criterion)
        counts.append([_counts(ov, t, criterion) for t in thresholds])
    results = []
    for k, t in enumerate(thresholds):
        image_counts = [image[k] for image in counts]
        tp, n_true, n_pred, score_sum = (sum(col) for col in zip(*image_counts, strict=True))
        pooled = stats(criterion, t, tp, n_true, n_pred, score_sum)
        if by_image:
            ms = [stats(criterion, t, *c) for c in image_counts]
            means = {f: float(np.mean([getattr(m, f) for m in ms])) for f in _RATIOS}
            pooled = Matching(**{**pooled.as_dict(), **means})  # type: ignore[arg-type]
        results.append(pooled)
    return results[0] if scalar else tuple(results)
