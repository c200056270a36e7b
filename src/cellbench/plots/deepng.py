"""Figures of paper 000: Fig. 2 (t-SNE of the latent space), Figs. 6/7 (MAP vs k), Fig. 8.

Figs. 6–8 are drawn from ``results/tables/deepng_runs.csv`` (one row per run, written by the
Table I rule); Fig. 2 from the latent features and one clustering.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.plots.style import plt, save_figure

ALGORITHMS = {
    "kmc": ("kMC", "tab:blue", "o"),
    "ng": ("NG", "tab:orange", "s"),
    "gng": ("GNG", "tab:green", "^"),
}
SUBSET_TITLES = {
    "known": "Fig. 6: MAP on the known cell type (CT1)",
    "unknown": "Fig. 7: MAP on the unknown cell types (CT2–CT7)",
}


def _x_positions(runs: pd.DataFrame) -> pd.Series:
    """k for kMC/NG; the final number of units for GNG (it grows from its start k)."""
    return runs["n_clusters"].where(runs["algorithm"] == "gng", runs["k"]).astype(float)


def _mean_positions(runs: pd.DataFrame) -> pd.Series:
    """x position of every (algorithm, k): its mean over seeds."""
    return runs.assign(x=_x_positions(runs)).groupby(["algorithm", "k"])["x"].mean()


def _log_k_axis(ax: plt.Axes, positions: pd.Series) -> None:
    """Logarithmic k axis labelled at the plotted k values only."""
    ticks = sorted({round(float(x), 1) for x in positions.dropna()})
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(ticks, [f"{x:g}" for x in ticks])
    ax.set_xlabel("number of clusters k")


def map_figure(runs_csv: str | Path, subset: str, png: str | Path, pdf: str | Path) -> None:
    """MAP per run (dots) and mean ± std over seeds vs k per algorithm; baseline dashed."""
    runs = pd.read_csv(runs_csv)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    baseline = runs[runs["algorithm"] == "baseline"]
    if not baseline.empty:
        ax.axhline(
            baseline[subset].mean(), color="black", ls="--", lw=1, label="baseline (no clustering)"
        )
    for offset, (algo, (name, colour, marker)) in zip(
        (-0.04, 0.0, 0.04), ALGORITHMS.items(), strict=True
    ):
        data = runs[runs["algorithm"] == algo].assign(x=lambda d: _x_positions(d))
        if data.empty:
            continue
        shift = 10**offset
        ax.scatter(data["x"] * shift, data[subset], s=10, alpha=0.35, color=colour, marker=marker)
        stats = data.groupby("k").agg(x=("x", "mean"), mean=(subset, "mean"), std=(subset, "std"))
        ax.errorbar(
            stats["x"] * shift,
            stats["mean"],
            yerr=stats["std"].fillna(0.0),
            color=colour,
            marker=marker,
            capsize=3,
            ls="-" if algo != "gng" else "none",
            label=name + (" (x = final units)" if algo == "gng" else ""),
        )
    _log_k_axis(ax, _mean_positions(runs[runs["algorithm"] != "baseline"]))
    ax.set_ylabel("DSB mean average precision")
    ax.set_title(SUBSET_TITLES[subset], fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    save_figure(fig, png, pdf)


def entropy_figure(runs_csv: str | Path, png: str | Path, pdf: str | Path) -> None:
    """Fig. 8: standard deviation over seeds of the normalised cluster-size entropy vs k."""
    runs = pd.read_csv(runs_csv)
    runs = runs[runs["algorithm"] != "baseline"]
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for algo, (name, colour, marker) in ALGORITHMS.items():
        data = runs[runs["algorithm"] == algo].assign(x=lambda d: _x_positions(d))
        if data.empty:
            continue
        stats = data.groupby("k").agg(
            x=("x", "mean"), std=("normalized_entropy", lambda s: s.std(ddof=1))
        )
        ax.plot(stats["x"], stats["std"].fillna(0.0), color=colour, marker=marker, label=name)
    _log_k_axis(ax, _mean_positions(runs))
    ax.set_ylabel("std over seeds of normalised entropy")
    ax.set_title("Fig. 8: variability of the cluster-size entropy", fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    save_figure(fig, png, pdf)


def tsne_figure(
    features_npz: str | Path,
    assignments_npz: str | Path,
    run: str,
    png: str | Path,
    pdf: str | Path,
    *,
    seed: int = 0,
) -> None:
    """Fig. 2: 2-D t-SNE of the 32-D latent features coloured by cell type and by cluster."""
    from sklearn.manifold import TSNE

    with np.load(features_npz) as data:
        features, groups = data["features"], data["groups"].astype(str)
    with np.load(assignments_npz) as data:
        labels = data["labels"]
    perplexity = float(min(30.0, max(2.0, (features.shape[0] - 1) / 3)))
    embedding = TSNE(
        n_components=2, perplexity=perplexity, init="pca", random_state=seed
    ).fit_transform(features)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for group in sorted(np.unique(groups)):
        mask = groups == group
        axes[0].scatter(*embedding[mask].T, s=6, label=group)
    axes[0].legend(fontsize=7, markerscale=2, frameon=False)
    axes[0].set_title("coloured by cell type", fontsize=9)
    axes[1].scatter(*embedding.T, s=6, c=labels, cmap="tab20")
    axes[1].set_title(f"coloured by cluster ({run}, {labels.max() + 1} clusters)", fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Fig. 2: t-SNE of the 32-D latent space", fontsize=10)
    save_figure(fig, png, pdf)
