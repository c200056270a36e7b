"""Write the benchmark tables: the matrix (CSV/Markdown/LaTeX), the ranking and the CD ranks."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cellbench.benchmark.config import BenchmarkConfig
from cellbench.benchmark.matrix import benchmark_rows, load_run, rank_summary
from cellbench.io import atomic_path
from cellbench.tables.write import write_table


def cell_text(row: Mapping[str, Any], digits: int = 3) -> str:
    """``value [low, high]`` (± sd over seeds when there are several) or the status."""
    if row["status"] != "ok":
        return str(row["status"])
    text = f"{row['value']:.{digits}f} [{row['ci_low']:.{digits}f}, {row['ci_high']:.{digits}f}]"
    if row["n_seeds"] > 1 and not math.isnan(row["seed_sd"]):
        text += f" ± {row['seed_sd']:.{digits}f} (sd, {int(row['n_seeds'])} seeds)"
    return text


def metric_legend(table: pd.DataFrame) -> list[str]:
    """One line per metric: its label, then the definition and parameters the evaluation
    summaries record (``metric_parameters``), so that every cell names what it measures."""
    lines = []
    for label, group in table.groupby("metric_label", sort=False):
        recorded = [d for d in group["metric_definition"] if isinstance(d, str) and d]
        params = json.loads(recorded[0]) if recorded else {}
        text = "; ".join(
            [params.pop("definition", ""), *(f"{key}: {value}" for key, value in params.items())]
        ).strip("; ")
        lines.append(f"{label}: {text or 'no evaluation summary of this metric'}")
    return lines


def matrix_display(table: pd.DataFrame) -> pd.DataFrame:
    """One row per variant and dataset, one column per metric."""
    table = table.assign(cell=[cell_text(row) for row in table.to_dict("records")])
    wide = table.pivot_table(
        index=["dataset", "label"], columns="metric_label", values="cell", aggfunc="first"
    )
    labels = list(dict.fromkeys(table["metric_label"]))
    n_images = table.groupby(["dataset", "label"])["n_images"].max()
    wide = wide[labels].join(n_images.rename("images")).reset_index()
    wide["images"] = wide["images"].map(lambda n: "–" if pd.isna(n) else str(int(n)))
    order = {d: i for i, d in enumerate(dict.fromkeys(table["dataset"]))}
    return wide.sort_values(
        ["dataset", "label"], key=lambda s: s.map(order) if s.name == "dataset" else s
    )


def ranking_display(table: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and metric, the variants by rank with their Holm-adjusted p-values."""
    ok = table[table["status"] == "ok"].sort_values(["dataset", "metric", "rank"])
    return ok[
        [
            "dataset",
            "metric_label",
            "rank",
            "label",
            "value",
            "p_vs_baseline_holm",
            "p_vs_best_holm",
        ]
    ].rename(
        columns={
            "metric_label": "metric",
            "p_vs_baseline_holm": "p vs otsu_watershed (Holm)",
            "p_vs_best_holm": "p vs best (Holm)",
        }
    )


def benchmark_tables(
    summaries: Sequence[str | Path],
    outputs: Mapping[str, str | Path],
    cfg: BenchmarkConfig,
    methods: Sequence[str],
    datasets: Sequence[str],
    reasons: Mapping[str, Mapping[str, str]],
) -> pd.DataFrame:
    """Build every table from the summaries; ``outputs`` keys: csv, md, tex, ranking_csv,
    ranking_md, ranks."""
    runs = [load_run(path) for path in summaries]
    table = benchmark_rows(runs, cfg, methods, datasets, reasons)
    title = (
        f"Benchmark: dataset-level value [{1 - cfg.alpha:.0%} bootstrap interval over images, "
        f"{cfg.bootstrap_samples} resamples, seed {cfg.bootstrap_seed}]"
    )
    write_table(
        table,
        [outputs["csv"], outputs["md"], outputs["tex"]],
        title=title,
        display=matrix_display(table),
        legend=metric_legend(table),
    )
    write_table(
        ranking_display(table),
        [outputs["ranking_csv"], outputs["ranking_md"]],
        title="Per-dataset ranking with paired Wilcoxon tests (Holm)",
        digits=4,
        legend=metric_legend(table),
    )
    with atomic_path(outputs["ranks"]) as tmp:
        rank_summary(table, cfg.alpha).to_csv(tmp, index=False)
    return table
