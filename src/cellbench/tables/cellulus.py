"""cellulus (paper 001) Tables 1 and 2 from evaluation summaries, published numbers beside ours.

Published values are data (``config/paper_results/cellulus_table{1,2}.csv``), never code. Rows
for datasets without published numbers (the synthetic suite) show "–" in the paper columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cellbench.methods.cellulus.runs import parse_run
from cellbench.tables.summaries import load_summaries
from cellbench.tables.write import mean_std, write_table

PAPER_METHODS = ("cellulus", "stardist", "cellpose")


def read_published(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"dataset": str, "paper_dataset": str})


def table1_data(
    cellulus: pd.DataFrame, baseline: pd.DataFrame, published: pd.DataFrame
) -> pd.DataFrame:
    """Long table: one row per (dataset, method, source), mean and std of F1/SEG over runs."""
    rows = []
    for runs in (cellulus, baseline):
        for (dataset, method), frame in runs.groupby(["dataset", "method"], sort=True):
            rows.append(
                {
                    "dataset": dataset,
                    "method": method,
                    "source": "ours",
                    "runs": len(frame),
                    "f1": frame["f1"].mean(),
                    "f1_std": frame["f1"].std(ddof=1) if len(frame) > 1 else float("nan"),
                    "seg": frame["seg"].mean(),
                    "seg_std": frame["seg"].std(ddof=1) if len(frame) > 1 else float("nan"),
                    "run_names": ";".join(sorted(frame["run"])),
                    "config_hash": frame["config_hash"].iloc[0],
                    "git_commit": frame["git_commit"].iloc[0],
                    "device": frame["device"].iloc[0],
                }
            )
    datasets = {row["dataset"] for row in rows}
    for row in published[published["dataset"].isin(datasets)].itertuples(index=False):
        rows.append(
            {
                "dataset": row.dataset,
                "method": row.method,
                "source": "paper",
                "runs": 0,
                "f1": row.f1,
                "seg": row.seg,
            }
        )
    return pd.DataFrame(rows)


def table1_display(
    data: pd.DataFrame, cellulus: pd.DataFrame, baseline: pd.DataFrame
) -> pd.DataFrame:
    """Wide table: per dataset our cellulus and baseline (mean ± std over seeds) and the paper."""
    rows = []
    for dataset in sorted(data["dataset"].unique()):
        ours_c = cellulus[cellulus["dataset"] == dataset]
        ours_b = baseline[baseline["dataset"] == dataset]
        row = {
            "dataset": dataset,
            "cellulus F1": mean_std(ours_c["f1"]),
            "cellulus SEG": mean_std(ours_c["seg"]),
            "otsu_watershed F1": mean_std(ours_b["f1"]),
            "otsu_watershed SEG": mean_std(ours_b["seg"]),
        }
        paper = data[(data["dataset"] == dataset) & (data["source"] == "paper")]
        for method in PAPER_METHODS:
            hit = paper[paper["method"] == method]
            row[f"paper {method} F1"] = float(hit["f1"].iloc[0]) if len(hit) else float("nan")
            row[f"paper {method} SEG"] = float(hit["seg"].iloc[0]) if len(hit) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def table1(
    cellulus_summaries: Sequence[str | Path],
    baseline_summaries: Sequence[str | Path],
    published_csv: str | Path,
    outputs: Sequence[str | Path],
) -> pd.DataFrame:
    """Table 1 of paper 001: F1@0.5 and SEG per dataset (cellulus, otsu_watershed, paper)."""
    cellulus = load_summaries(cellulus_summaries)
    baseline = load_summaries(baseline_summaries)
    data = table1_data(cellulus, baseline, read_published(published_csv))
    write_table(
        data,
        outputs,
        title="cellulus Table 1: F1@0.5 and SEG on the test split (mean ± std over seeds) vs. published",
        display=table1_display(data, cellulus, baseline),
    )
    return data


def table2(
    summaries: Sequence[str | Path], published_csv: str | Path, outputs: Sequence[str | Path]
) -> pd.DataFrame:
    """Table 2 of paper 001: F1 and SEG per relative scale factor (GT at scale 1)."""
    runs = load_summaries(summaries)
    runs["scale"] = [parse_run(run)[1] or 1.0 for run in runs["run"]]  # seed run = factor 1
    published = read_published(published_csv)
    data = pd.concat(
        [
            runs[
                ["dataset", "scale", "f1", "seg", "run", "config_hash", "git_commit", "device"]
            ].assign(source="ours"),
            published[published["dataset"].isin(runs["dataset"])][
                ["dataset", "scale", "f1", "seg"]
            ].assign(source="paper"),
        ],
        ignore_index=True,
    ).sort_values(["dataset", "source", "scale"], ignore_index=True)
    display_rows = []
    for (dataset, source), frame in data.groupby(["dataset", "source"], sort=True):
        for metric in ("f1", "seg"):
            row = {"dataset": dataset, "source": source, "metric": metric.upper()}
            row.update(
                {
                    f"{scale:g}": value
                    for scale, value in zip(frame["scale"], frame[metric], strict=True)
                }
            )
            display_rows.append(row)
    write_table(
        data,
        outputs,
        title="cellulus Table 2: F1@0.5 and SEG vs. scale factor (relative to the dataset's scale; GT at scale 1)",
        display=pd.DataFrame(display_rows),
    )
    return data
