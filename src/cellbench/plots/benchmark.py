"""Figures of the benchmark: heatmap of the matrix and critical-difference diagram (Demšar 2006)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.plots.style import plt, save_figure


def _cell_text(row: pd.Series) -> str:
    if row["status"] != "ok":
        return textwrap.fill(str(row["status"]).split(":")[0], 10)
    half = (row["ci_high"] - row["ci_low"]) / 2
    return f"{row['value']:.2f}\n±{half:.2f}"


def heatmap_figure(table_csv: str | Path, png: str | Path, pdf: str | Path) -> None:
    """One panel per metric: variants × datasets, colour = value, text = value ± CI half-width."""
    table = pd.read_csv(table_csv, keep_default_na=False, na_values=[""])
    metrics = list(dict.fromkeys(table["metric_label"]))
    labels = sorted(table["label"].unique())
    datasets = list(dict.fromkeys(table["dataset"]))
    ncols = min(2, len(metrics))
    nrows = -(-len(metrics) // ncols)
    figure, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(ncols * (1.1 * len(datasets) + 3), nrows * (0.5 * len(labels) + 1.8)),
        squeeze=False,
        layout="constrained",
    )
    for axis in axes.flat[len(metrics) :]:
        axis.axis("off")
    for axis, metric in zip(axes.flat, metrics, strict=False):
        frame = table[table["metric_label"] == metric].set_index(["label", "dataset"])
        values = np.full((len(labels), len(datasets)), np.nan)
        cells = [(i, j) for i in range(len(labels)) for j in range(len(datasets))]
        cells = [(i, j) for i, j in cells if (labels[i], datasets[j]) in frame.index]
        for i, j in cells:
            row = frame.loc[(labels[i], datasets[j])]
            values[i, j] = row["value"] if row["status"] == "ok" else np.nan
        limit = max(1.0, float(np.nanmax(values))) if np.isfinite(values).any() else 1.0
        for i, j in cells:
            dark = np.isfinite(values[i, j]) and values[i, j] < 0.5 * limit
            text = _cell_text(frame.loc[(labels[i], datasets[j])])
            color = "white" if dark else "black"
            axis.text(j, i, text, ha="center", va="center", fontsize=6, color=color)
        image = axis.imshow(
            np.ma.masked_invalid(values),
            cmap=plt.get_cmap("viridis").with_extremes(bad="0.85"),
            vmin=0,
            vmax=limit,
            aspect="auto",
        )
        axis.set_xticks(range(len(datasets)), datasets, rotation=45, ha="right", fontsize=7)
        axis.set_yticks(range(len(labels)), labels, fontsize=7)
        axis.set_title(metric)
        figure.colorbar(image, ax=axis, fraction=0.05)
    save_figure(figure, png, pdf)


def cd_figure(ranks_csv: str | Path, png: str | Path, pdf: str | Path) -> None:
    """One panel per metric: average ranks on an axis, the CD bar, and bars joining the variants
    whose ranks differ by less than the CD (not significantly different, Nemenyi)."""
    ranks = pd.read_csv(ranks_csv)
    metrics = list(dict.fromkeys(ranks["metric_label"]))
    if not metrics:
        figure, axis = plt.subplots(figsize=(6, 1.5))
        axis.axis("off")
        axis.text(
            0.5,
            0.5,
            "No critical-difference diagram: no two variants have values on the same two datasets",
            ha="center",
            va="center",
            wrap=True,
        )
        save_figure(figure, png, pdf)
        return
    figure, axes = plt.subplots(len(metrics), 1, figsize=(8, 2.2 * len(metrics)), squeeze=False)
    for axis, metric in zip(axes[:, 0], metrics, strict=True):
        frame = ranks[ranks["metric_label"] == metric].sort_values("average_rank")
        k, n = int(frame["k"].iloc[0]), int(frame["n_datasets"].iloc[0])
        cd = float(frame["critical_difference"].iloc[0])
        axis.set_xlim(0.5, max(k, 1 + cd) + 0.5)
        axis.set_ylim(-len(frame) - 1, 2)
        axis.axis("off")
        axis.plot([1, k], [0, 0], color="black", linewidth=1)
        for tick in range(1, k + 1):
            axis.plot([tick, tick], [0, 0.15], color="black", linewidth=1)
            axis.text(tick, 0.25, str(tick), ha="center", fontsize=7)
        axis.plot([1, 1 + cd], [1.2, 1.2], color="tab:red", linewidth=2)
        axis.text(1 + cd / 2, 1.4, f"CD = {cd:.2f}", ha="center", fontsize=7, color="tab:red")
        for i, row in enumerate(frame.itertuples()):
            y = -(i + 1)
            axis.plot([row.average_rank] * 2, [0, y], color="0.4", linewidth=0.8)
            axis.text(
                row.average_rank,
                y,
                f" {row.label} ({row.average_rank:.2f})",
                fontsize=7,
                va="center",
            )
        values = frame["average_rank"].to_numpy()
        for start in range(len(values)):
            end = np.searchsorted(values, values[start] + cd, side="left") - 1
            if end > start and (start == 0 or values[end] - values[start - 1] >= cd):
                axis.plot(
                    [values[start] - 0.03, values[end] + 0.03],
                    [-0.3 - 0.15 * start] * 2,
                    linewidth=3,
                    color="black",
                )
        axis.set_title(f"{metric}: average rank over {n} datasets, {k} variants", fontsize=9)
    save_figure(figure, png, pdf)
