"""Bar chart of the overview table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cellbench.plots.style import plt, save_figure
from cellbench.tables.overview import OVERVIEW_METRICS

BAR_METRICS = ("f1", "seg", "dsb_map", "dice")


def overview_figure(table_csv: str | Path, png: str | Path, pdf: str | Path) -> None:
    """One panel per metric; bars = methods, groups = datasets; error bars = std over runs."""
    runs = pd.read_csv(table_csv)
    datasets = sorted(runs["dataset"].unique())
    methods = sorted(runs["method"].unique())
    figure, axes = plt.subplots(
        1, len(BAR_METRICS), figsize=(4 * len(BAR_METRICS), 3.5), sharey=True
    )
    width = 0.8 / len(methods)
    for axis, metric in zip(axes, BAR_METRICS, strict=True):
        stats = runs.groupby(["dataset", "method"])[metric].agg(["mean", "std"])
        for offset, method in enumerate(methods):
            means = [stats["mean"].get((d, method), float("nan")) for d in datasets]
            stds = [stats["std"].get((d, method), float("nan")) for d in datasets]
            positions = [i + offset * width for i in range(len(datasets))]
            axis.bar(positions, means, width, yerr=stds, label=method, capsize=2)
        axis.set_xticks(
            [i + 0.4 - width / 2 for i in range(len(datasets))], datasets, rotation=45, ha="right"
        )
        axis.set_title(OVERVIEW_METRICS[metric])
        axis.set_ylim(0, 1)
    axes[0].legend(fontsize="small")
    save_figure(figure, png, pdf)
