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
OUR_METHODS = ("cellulus", "otsu_watershed", "stardist", "cellpose")


def read_published(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"dataset": str, "paper_dataset": str})


def table1_data(runs: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Long table: one row per (dataset, method, source), mean and std of F1/SEG over runs."""
    rows = []
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


def table1_display(data: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Wide table: per dataset each method we ran (mean ± std over seeds), then the paper."""
    methods = [m for m in OUR_METHODS if m in set(runs["method"])]
    rows = []
    for dataset in sorted(data["dataset"].unique()):
        row = {"dataset": dataset}
        for method in methods:
            ours = runs[(runs["dataset"] == dataset) & (runs["method"] == method)]
            row[f"{method} F1"] = mean_std(ours["f1"])
            row[f"{method} SEG"] = mean_std(ours["seg"])
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
    pretrained_summaries: Sequence[str | Path],
    published_csv: str | Path,
    outputs: Sequence[str | Path],
) -> pd.DataFrame:
    """Table 1 of paper 001: F1@0.5 and SEG per dataset.

    Our rows: cellulus, otsu_watershed and, where the optional rules ran, the pretrained
    StarDist/Cellpose models; then the published numbers.
    """
    runs = load_summaries([*cellulus_summaries, *baseline_summaries, *pretrained_summaries])
    data = table1_data(runs, read_published(published_csv))
    write_table(
        data,
        outputs,
        title="cellulus Table 1: F1@0.5 and SEG on the test split (mean ± std over seeds) vs. published",
        display=table1_display(data, runs),
        runs=runs,
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
        runs=runs,
    )
    return data
