"""Clustering and classification scores of paper 002 (Hu et al., nu_gan), on label vectors.

``classes``: true class of each sample; ``clusters``: assigned cluster (or predicted class).
Any hashable labels (ints, strings). Entropies use the natural logarithm by default (the
printed values of paper 002, up to 1.56 for 5 clusters, are in nats).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cellbench.errors import InputError


def _table(classes: Sequence | np.ndarray, clusters: Sequence | np.ndarray) -> np.ndarray:
    """Contingency table, clusters × classes (int64)."""
    classes, clusters = np.asarray(classes), np.asarray(clusters)
    if classes.shape != clusters.shape or classes.ndim != 1:
        raise InputError(
            None, f"classes {classes.shape} and clusters {clusters.shape} must be equal 1-D"
        )
    if classes.size == 0:
        raise InputError(None, "no samples given")
    _, ci = np.unique(classes, return_inverse=True)
    _, ki = np.unique(clusters, return_inverse=True)
    table = np.zeros((ki.max() + 1, ci.max() + 1), np.int64)
    np.add.at(table, (ki, ci), 1)
    return table


def _entropy(counts: np.ndarray, base: float | None) -> float:
    p = counts[counts > 0] / counts.sum()
    h = float(-(p * np.log(p)).sum())
    return h / np.log(base) if base else h


def purity(classes: Sequence | np.ndarray, clusters: Sequence | np.ndarray) -> float:
    """Purity = (1/N) Σ_k max_j |ω_k ∩ c_j| (paper 002, eq. above 14)."""
    table = _table(classes, clusters)
    return float(table.max(1).sum() / table.sum())


def cluster_size_entropy(clusters: Sequence | np.ndarray, base: float | None = None) -> float:
    """Paper 002's "entropy" as printed (eq. 14): −(1/N) Σ_k |ω_k| log(|ω_k|/N).

    The entropy of the cluster-size distribution; it ignores the classes.
    """
    return _entropy(_table(np.zeros(len(clusters)), clusters).sum(1), base)


def conditional_entropy(
    classes: Sequence | np.ndarray, clusters: Sequence | np.ndarray, base: float | None = None
) -> float:
    """H(class | cluster) = Σ_k (|ω_k|/N) H(class within ω_k) (the usual clustering entropy)."""
    table = _table(classes, clusters)
    sizes = table.sum(1)
    return float(
        sum(n * _entropy(row, base) for n, row in zip(sizes, table, strict=True)) / sizes.sum()
    )


def classification_scores(
    y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray
) -> dict[str, float]:
    """Support-weighted precision, recall and F-score over the true classes.

    Per class c: P = TP/(TP+FP), R = TP/(TP+FN), F = 2PR/(P+R) (0 where undefined), averaged
    with weights |c| (scikit-learn ``average="weighted"``, ``zero_division=0``). Classes that
    are only predicted have weight 0.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    _table(y_true, y_pred)  # validates shapes
    labels = np.unique(np.concatenate([y_true, y_pred]))
    support = np.array([np.count_nonzero(y_true == c) for c in labels], np.float64)
    tp = np.array([np.count_nonzero((y_true == c) & (y_pred == c)) for c in labels], np.float64)
    n_pred = np.array([np.count_nonzero(y_pred == c) for c in labels], np.float64)
    prec = np.divide(tp, n_pred, out=np.zeros_like(tp), where=n_pred > 0)
    rec = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    f = np.divide(2 * prec * rec, prec + rec, out=np.zeros_like(tp), where=prec + rec > 0)
    w = support / support.sum()
    return {"precision": float(w @ prec), "recall": float(w @ rec), "f_score": float(w @ f)}


def cluster_f_score(classes: Sequence | np.ndarray, clusters: Sequence | np.ndarray) -> float:
    """Paper 002's average F-score: each cluster becomes its majority class (argmax_j |ω_k ∩ c_j|,
    ties to the first class in sorted order), then the support-weighted F-score over classes."""
    classes, clusters = np.asarray(classes), np.asarray(clusters)
    table = _table(classes, clusters)
    class_ids = np.unique(classes)
    _, ki = np.unique(clusters, return_inverse=True)
    predicted = class_ids[table.argmax(1)][ki]
    return classification_scores(classes, predicted)["f_score"]
