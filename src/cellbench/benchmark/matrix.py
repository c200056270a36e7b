"""The benchmark matrix: every method variant × dataset × metric from the evaluation summaries.

A variant is a run name without its seed (``kmc-k5-seed3`` → ``kmc-k5``; ``seed0`` → ``default``):
the seeds of a variant are what its ± spans. A (method, dataset) pair without summaries gets a
row whose ``status`` says why ("not configured", or "not applicable: <reason>").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from cellbench.benchmark import stats
from cellbench.benchmark.config import BenchmarkConfig
from cellbench.errors import InputError
from cellbench.tables.summaries import read_summary

BASELINE = "otsu_watershed"
SEED_SUFFIX = re.compile(r"-?seed(\d+)$")

# Key of a metric's entry in a summary's metric_parameters where it differs from its name.
PARAMETER_KEYS = {"abs_dic": "dic"}


def run_variant(run: str) -> str:
    """Run name without its seed; ``default`` when nothing else is left."""
    return SEED_SUFFIX.sub("", run) or "default"


def run_seed(run: str) -> int | None:
    """Seed at the end of a run name (as :func:`cellbench.evaluation.run_seed`); None if none."""
    match = SEED_SUFFIX.search(run)
    return int(match.group(1)) if match else None


def variant_label(method: str, variant: str) -> str:
    return method if variant == "default" else f"{method} {variant}"


@dataclass(frozen=True)
class Run:
    method: str
    dataset: str
    run: str
    summary: dict[str, Any]
    per_image: pd.DataFrame

    @property
    def label(self) -> str:
        return variant_label(self.method, run_variant(self.run))


def load_run(summary_path: str | Path) -> Run:
    """A summary and the per-image CSV beside it."""
    summary_path = Path(summary_path)
    summary = read_summary(summary_path)
    csv = summary_path.with_name("per_image.csv")
    try:
        per_image = pd.read_csv(csv, dtype={"image_id": str})
    except (OSError, ValueError) as exc:
        raise InputError(csv, f"not a readable per-image table ({exc})") from exc
    if per_image.empty or "partial" not in per_image:
        raise InputError(csv, "no per-image rows with a 'partial' column")
    return Run(summary["method"], summary["dataset"], summary["run"], summary, per_image)


def check_summary(run: Run, metric: str, tolerance: float = 1e-9) -> None:
    """InputError unless the per-image CSV gives the summary's value of ``metric``."""
    expected = run.summary.get("metrics", {}).get(metric)
    found = stats.dataset_metric(run.per_image, metric)
    if expected is None or abs(found - expected) > tolerance:
        raise InputError(
            f"results/evaluation/{run.method}/{run.dataset}/{run.run}",
            f"per_image.csv gives {metric} = {found}, summary.json {expected}",
        )


def _provenance(runs: Sequence[Run]) -> dict[str, Any]:
    provs = [r.summary.get("provenance", {}) for r in runs]
    preds = [(r.summary.get("prediction_provenance") or {}).get("provenance", {}) for r in runs]

    def joined(values: Iterable[Any]) -> str:
        return ";".join(sorted({str(v) for v in values if v is not None}))

    return {
        "runs": joined(r.run for r in runs),
        "config_hash": joined(p.get("config_hash") for p in provs),
        "git_commit": joined(p.get("git_commit") for p in provs),
        "device": joined(p.get("device") for p in preds),
        "host": joined(p.get("host") for p in preds),
    }


def benchmark_rows(
    runs: Sequence[Run],
    cfg: BenchmarkConfig,
    methods: Sequence[str],
    datasets: Sequence[str],
    reasons: Mapping[str, Mapping[str, str]],
) -> pd.DataFrame:
    """One row per variant × dataset × metric (value, interval, seeds, tests, provenance)."""
    rows: list[dict[str, Any]] = []
    for dataset in datasets:
        for metric in cfg.metrics:
            rows += _dataset_metric_rows(runs, cfg, methods, dataset, metric, reasons)
    return pd.DataFrame(rows)


def _dataset_metric_rows(
    runs: Sequence[Run],
    cfg: BenchmarkConfig,
    methods: Sequence[str],
    dataset: str,
    metric: str,
    reasons: Mapping[str, Mapping[str, str]],
) -> list[dict[str, Any]]:
    spec = stats.METRICS[metric]
    base = {"dataset": dataset, "metric": metric, "metric_label": spec.label}
    definition = None
    rows, values, per_image = [], {}, {}
    for method in methods:
        mine = [r for r in runs if r.method == method and r.dataset == dataset]
        if not mine:
            reason = reasons.get(method, {}).get(dataset)
            status = f"not applicable: {reason}" if reason else "not configured"
            rows.append(
                {**base, "method": method, "variant": "", "label": method, "status": status}
            )
            continue
        for label in sorted({r.label for r in mine}):
            group = sorted((r for r in mine if r.label == label), key=lambda r: r.run)
            definition = definition or group[0].summary.get("metric_parameters", {}).get(
                PARAMETER_KEYS.get(metric, metric)
            )
            tables = [r.per_image for r in group]
            for r in group:
                check_summary(r, metric)
            cell = stats.cell_statistics(
                tables,
                metric,
                samples=cfg.bootstrap_samples,
                seed=cfg.bootstrap_seed,
                alpha=cfg.alpha,
            )
            values[label] = cell["value"]
            per_image[label] = stats.per_image_values(tables, metric)
            seeds = [run_seed(r.run) for r in group]
            rows.append(
                {
                    **base,
                    "method": method,
                    "variant": run_variant(group[0].run),
                    "label": label,
                    "status": "ok",
                    **cell,
                    "ci_level": 1 - cfg.alpha,
                    "bootstrap_samples": cfg.bootstrap_samples,
                    "bootstrap_seed": cfg.bootstrap_seed,
                    "n_seeds": len(group),
                    "seeds": ";".join("" if s is None else str(s) for s in seeds),
                    **_provenance(group),
                }
            )
    _add_tests(rows, values, per_image, spec.higher_is_better)
    for row in rows:
        row["metric_definition"] = json.dumps(definition, sort_keys=True) if definition else ""
    return rows


def _add_tests(
    rows: list[dict[str, Any]],
    values: dict[str, float],
    per_image: dict[str, pd.Series],
    higher_is_better: bool,
) -> None:
    """Rank, best variant and Holm-adjusted Wilcoxon p-values vs the baseline and the best."""
    if not values:
        return
    order = sorted(values, key=lambda v: -values[v] if higher_is_better else values[v])
    ranks = rankdata([(-1 if higher_is_better else 1) * values[v] for v in order])
    rank = dict(zip(order, ranks, strict=True))
    references = {"baseline": BASELINE if BASELINE in values else None, "best": order[0]}
    by_reference = {
        ref: stats.paired_tests(per_image, ref).set_index("label")
        for ref in set(references.values())
        if ref
    }
    tests = {name: by_reference.get(ref) for name, ref in references.items()}
    for row in rows:
        if row["status"] != "ok":
            continue
        row["rank"] = float(rank[row["label"]])
        row["best"] = order[0]
        for name, table in tests.items():
            hit = table is not None and row["label"] in table.index
            row[f"p_vs_{name}"] = table.loc[row["label"], "p"] if hit else np.nan
            row[f"p_vs_{name}_holm"] = table.loc[row["label"], "p_holm"] if hit else np.nan


def rank_summary(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per metric: average rank of each variant over the complete block, with the Nemenyi CD."""
    rows = []
    for metric, frame in table[table["status"] == "ok"].groupby("metric", sort=False):
        values = frame.pivot(index="label", columns="dataset", values="value")
        block = stats.complete_block(values)
        if block.empty:
            continue
        higher = stats.METRICS[metric].higher_is_better
        ranks = stats.average_ranks(block, higher)
        k, n = block.shape
        cd = stats.critical_difference(k, n, alpha)
        friedman = stats.friedman_p(block)
        for label, rank in ranks.items():
            rows.append(
                {
                    "metric": metric,
                    "metric_label": stats.METRICS[metric].label,
                    "label": label,
                    "average_rank": rank,
                    "k": k,
                    "n_datasets": n,
                    "datasets": ";".join(block.columns),
                    "critical_difference": cd,
                    "alpha": alpha,
                    "friedman_p": friedman,
                }
            )
    columns = ["metric", "metric_label", "label", "average_rank", "k", "n_datasets", "datasets"]
    return pd.DataFrame(rows, columns=[*columns, "critical_difference", "alpha", "friedman_p"])


def select_summaries(
    paths: Iterable[str], methods: Sequence[str], datasets: Sequence[str]
) -> list[str]:
    """Summaries ``results/evaluation/<method>/<dataset>/<run>/summary.json`` of ``methods`` on
    ``datasets`` (every dataset when empty)."""
    selected = []
    for path in paths:
        method, dataset = Path(path).parts[-4:-2]
        if method in methods and (not datasets or dataset in datasets):
            selected.append(str(path))
    return selected


def not_applicable_reasons(
    configs: Mapping[str, Any], methods: Sequence[str], datasets: Sequence[str]
) -> dict[str, dict[str, str]]:
    """method → dataset → why the method cannot run there (its config's ``not_applicable``)."""
    reasons: dict[str, dict[str, str]] = {}
    for method in methods:
        if method in configs:
            found = {d: configs[method].not_applicable(d) for d in datasets}
            reasons[method] = {d: reason for d, reason in found.items() if reason}
    return reasons
