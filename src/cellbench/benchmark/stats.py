"""Statistics of the cross-method benchmark: pure functions of per-image score tables.

* dataset-level value of a metric recomputed from per-image rows (pooled counts for F1 and SEG,
  means over images for the rest: :func:`cellbench.metrics.summary.dataset_scores`), so that a
  bootstrap resample of the images gives the same statistic as the evaluation summary;
* percentile bootstrap interval over images (Efron & Tibshirani 1993, ch. 13), seeded;
* paired Wilcoxon signed-rank tests (``scipy.stats.wilcoxon``, its exact permutation case run
  vectorised) with Holm's correction
  (``statsmodels.stats.multitest.multipletests``);
* average ranks across datasets and the Nemenyi critical difference (Demšar 2006, Sec. 3.2.2).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import (
    friedmanchisquare,
    permutation_test,
    rankdata,
    studentized_range,
    wilcoxon,
)
from statsmodels.stats.multitest import multipletests


@dataclass(frozen=True)
class MetricSpec:
    label: str
    column: str  # per-image column (paired tests)
    higher_is_better: bool
    frames: str  # "all" annotated frames (SEG, as the CTC) or only the "full" ones


METRICS = {
    "f1": MetricSpec("F1@0.5", "f1", True, "full"),
    "seg": MetricSpec("SEG", "seg", True, "all"),
    "dsb_map": MetricSpec("DSB mAP", "dsb_ap", True, "full"),
    "aji": MetricSpec("AJI", "aji", True, "full"),
    "sbd": MetricSpec("SBD", "sbd", True, "full"),
    "dice": MetricSpec("Dice", "dice", True, "full"),
    "abs_dic": MetricSpec("|DiC|", "abs_dic", False, "full"),
}


def scored_rows(per_image: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The images a metric is computed on (all frames for SEG, else the fully annotated ones)."""
    rows = per_image if METRICS[metric].frames == "all" else per_image[~per_image["partial"]]
    return rows.sort_values("image_id", ignore_index=True)


def weighted_metric(rows: pd.DataFrame, metric: str, weights: np.ndarray) -> np.ndarray:
    """Dataset-level ``metric`` of each resample: ``weights[b, i]`` copies of image ``i``."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))

    def total(column: str) -> np.ndarray:
        return weights @ rows[column].to_numpy(dtype=float)

    if metric == "f1":  # StarDist matching_dataset: pooled TP/FP/FN, 0 when TP = 0
        tp, fp, fn = total("tp"), total("fp"), total("fn")
        return np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    if metric == "seg":  # CTC: Σ Jaccard / Σ GT objects; no GT object: 1 iff nothing predicted
        seg_sum, seg_n, n_pred = total("seg_sum"), total("seg_n"), total("n_pred")
        empty = np.where(n_pred == 0, 1.0, 0.0)
        return np.where(seg_n > 0, seg_sum / np.maximum(seg_n, 1), empty)
    return total(METRICS[metric].column) / weights.sum(axis=1)


def dataset_metric(per_image: pd.DataFrame, metric: str) -> float:
    """The metric of the whole dataset (equals the evaluation summary's value)."""
    rows = scored_rows(per_image, metric)
    return float(weighted_metric(rows, metric, np.ones(len(rows)))[0])


def bootstrap_weights(n: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` × ``n`` multiplicities of ``n`` images drawn with replacement (seeded)."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=samples)


def cell_statistics(
    seed_tables: list[pd.DataFrame], metric: str, *, samples: int, seed: int, alpha: float
) -> dict[str, float | int]:
    """Value, bootstrap interval and spread over seeds of one method variant on one dataset.

    ``value`` is the mean over seeds of the dataset-level metric; the interval is the
    ``alpha/2, 1 - alpha/2`` percentile interval of that mean when the images are resampled
    (the same resample for every seed, so the interval is over images, not seeds);
    ``seed_sd`` is the sample standard deviation over seeds (NaN for one seed).
    """
    tables = [scored_rows(t, metric) for t in seed_tables]
    ids = tables[0]["image_id"].tolist()
    for table in tables[1:]:
        if table["image_id"].tolist() != ids:
            raise ValueError("the runs of a variant were scored on different images")
    per_seed = np.array([weighted_metric(t, metric, np.ones(len(t)))[0] for t in tables])
    weights = bootstrap_weights(len(ids), samples, seed)
    resampled = np.mean([weighted_metric(t, metric, weights) for t in tables], axis=0)
    low, high = np.quantile(resampled, [alpha / 2, 1 - alpha / 2])
    return {
        "value": float(per_seed.mean()),
        "ci_low": float(low),
        "ci_high": float(high),
        "seed_sd": float(per_seed.std(ddof=1)) if len(per_seed) > 1 else float("nan"),
        "n_images": len(ids),
    }


def per_image_values(seed_tables: list[pd.DataFrame], metric: str) -> pd.Series:
    """Per-image metric (mean over the variant's seeds), indexed by image id."""
    column = METRICS[metric].column
    frames = [scored_rows(t, metric).set_index("image_id")[column] for t in seed_tables]
    return pd.concat(frames, axis=1).mean(axis=1)


PERMUTATION_MAX_N = 13
"""Up to this many pairs with ties or zero differences, ``scipy.stats.wilcoxon`` (method "auto")
runs an exact permutation test over all 2^n sign patterns."""


def _r_plus(d: np.ndarray, axis: int) -> np.ndarray:
    """Wilcoxon R+ (sum of the ranks of the positive differences), vectorised over ``axis``."""
    return wilcoxon(d, axis=axis, alternative="greater", method="asymptotic").statistic


def wilcoxon_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p-value of ``scipy.stats.wilcoxon(x, y)`` (its defaults); NaN if all pairs are equal.

    Where scipy's "auto" method chooses its exact permutation test (at most 13 pairs, with ties or
    zero differences), the same test runs as ``scipy.stats.permutation_test`` with R+ evaluated
    for all sign patterns at once: scipy evaluates it once per pattern (up to 8192 calls, about a
    second); the null distribution and the p-value are the same (tested to 1e-12).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.array_equal(x, y):
        return float("nan")
    d = x - y
    ties = (d == 0).any() or len(np.unique(np.abs(d))) < d.size
    if ties and d.size <= PERMUTATION_MAX_N:
        return float(
            permutation_test(
                (d,),
                _r_plus,
                permutation_type="samples",
                vectorized=True,
                alternative="two-sided",
                n_resamples=9999,
            ).pvalue
        )
    return float(wilcoxon(x, y).pvalue)


def holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (``multipletests(method="holm")``); NaN entries stay NaN."""
    pvalues = np.asarray(pvalues, dtype=float)
    adjusted = np.full_like(pvalues, np.nan)
    finite = np.isfinite(pvalues)
    if finite.any():
        # multipletests(method="holm") calls gc.collect(), 0.1-0.4 s over this process's heap:
        # frozen objects are skipped, so the correction costs microseconds.
        gc.freeze()
        try:
            adjusted[finite] = multipletests(pvalues[finite], method="holm")[1]
        finally:
            gc.unfreeze()
    return adjusted


def paired_tests(values: dict[str, pd.Series], reference: str) -> pd.DataFrame:
    """Wilcoxon p-value of every variant against ``reference`` on their common images, Holm-adjusted
    over the variants (one family per dataset, metric and reference)."""
    rows = []
    for label, series in values.items():
        if label == reference:
            continue
        common = series.index.intersection(values[reference].index)
        x, y = series.loc[common].to_numpy(), values[reference].loc[common].to_numpy()
        rows.append({"label": label, "p": wilcoxon_p(x, y), "n_pairs": len(common)})
    table = pd.DataFrame(rows, columns=["label", "p", "n_pairs"])
    table["p_holm"] = holm(table["p"].to_numpy())
    return table


def complete_block(values: pd.DataFrame) -> pd.DataFrame:
    """Largest sub-table (variants × datasets) without a missing value, ≥ 2 variants and datasets.

    Demšar's ranks need every variant on every dataset. Among the dataset sets on which every
    variant of some group has a value (intersections of the variants' coverages) the block with
    the most cells wins, ties going to more datasets. Empty when there is none.
    """
    coverage = {frozenset(values.columns[values.loc[v].notna()]) for v in values.index}
    candidates = set(coverage)
    while True:
        new = {a & b for a in candidates for b in candidates} - candidates
        if not new:
            break
        candidates |= new
    best, best_key = values.iloc[:0, :0], (0, 0)
    for datasets in candidates:
        if len(datasets) < 2:
            continue
        columns = [c for c in values.columns if c in datasets]
        block = values[columns].dropna()
        key = (block.size, len(columns))
        if len(block) >= 2 and key > best_key:
            best, best_key = block, key
    return best


def average_ranks(block: pd.DataFrame, higher_is_better: bool) -> pd.Series:
    """Mean over datasets (columns) of each variant's rank (1 = best, ties averaged)."""
    sign = -1.0 if higher_is_better else 1.0
    ranks = np.column_stack([rankdata(sign * block[c].to_numpy()) for c in block.columns])
    return pd.Series(ranks.mean(axis=1), index=block.index).sort_values()


def critical_difference(k: int, n: int, alpha: float) -> float:
    """Nemenyi CD = q_alpha √(k(k+1)/(6N)), q_alpha the studentized range quantile / √2."""
    q = studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    return float(q * np.sqrt(k * (k + 1) / (6 * n)))


def friedman_p(block: pd.DataFrame) -> float:
    """Friedman test p-value of the block (NaN under 3 variants)."""
    if len(block) < 3:
        return float("nan")
    return float(friedmanchisquare(*block.to_numpy()).pvalue)
