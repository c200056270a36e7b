"""Tables I–IV and Figs. 5, 8, 9, 10 of paper 002, built only from the evaluation JSON files
(``results/evaluation/infogan/<dataset>/seed<s>/tables.json``), the model and the crops."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from cellbench.io import atomic_path
from cellbench.methods.infogan.cells import read_cells
from cellbench.methods.infogan.pipeline import generator_grid
from cellbench.methods.infogan.train import load_model, q_assign
from cellbench.tables.write import write_table

TITLES = {
    1: "Table I: cell classification (held-out cells, support-weighted P/R/F)",
    2: "Table II: Q clustering for different k (held-out cells)",
    3: "Table III: cell clustering (held-out cells; entropy_sizes = paper eq. 14 as printed)",
    4: "Table IV: image-level classification (stratified k-fold over images, fold means)",
}
COLUMNS = {
    1: ["precision", "recall", "f_score"],
    2: ["k", "purity", "entropy_sizes", "entropy_class_given_cluster", "f_score"],
    3: ["purity", "entropy_sizes", "entropy_class_given_cluster", "f_score"],
    4: ["precision", "recall", "f_score"],
}


# Row order of the paper's tables (the optional DNN rows go where the paper prints them).
METHOD_ORDER = {
    name: i
    for i, name in enumerate(["MF", "MF+k-means", "DNN", "DNN+k-means", "HOG+DEC", "Our Method"])
}


def table_rows(
    evaluations: list[Path],
    datasets: list[str],
    seeds: list[int],
    n: int,
    extra: list[Path] | None = None,
):
    """Measured rows of table ``n``: one per dataset, seed and method. ``extra``: optional
    evaluation files in the same dataset × seed order (the DNN rows of Tables I and III)."""
    rows = []
    paths = iter(evaluations)
    extras = iter(extra or [])
    for dataset in datasets:
        for seed in seeds:
            records = [json.loads(next(paths).read_text())]
            if extra:
                records.append(json.loads(next(extras).read_text()))
            entries = [(row, r["provenance"]) for r in records for row in r.get(f"table{n}", [])]
            entries.sort(key=lambda e: METHOD_ORDER.get(e[0].get("method"), len(METHOD_ORDER)))
            for row, prov in entries:
                rows.append(
                    {
                        "dataset": dataset,
                        "seed": seed,
                        "source": "cellbench",
                        **row,
                        "config_hash": prov["config_hash"],
                        "git_commit": prov["git_commit"],
                    }
                )
    return rows


def build_tables(
    evaluations: list[Path],
    paper: Path,
    datasets: list[str],
    seeds: list[int],
    outputs: list,
    dnn: list[Path] | None = None,
) -> None:
    """Write every table as CSV + Markdown: measured rows, then the paper's rows. ``dnn``: the
    optional DNN evaluation files (same dataset × seed order as ``evaluations``)."""
    published = pd.read_csv(paper)
    for n in (1, 2, 3, 4):
        measured = pd.DataFrame(table_rows(evaluations, datasets, seeds, n, dnn))
        if n != 2:
            paper_rows = published[published["table"] == n].rename(
                columns={"paper_dataset": "dataset"}
            )
            paper_rows = paper_rows.assign(source="paper", seed=np.nan).drop(columns="table")
            frame = pd.concat([measured, paper_rows], ignore_index=True)
        else:
            frame = measured
        if frame.empty:
            frame = pd.DataFrame(
                {"note": ["no dataset with cell categories/image labels configured"]}
            )
        if "seed" in frame:
            frame["seed"] = frame["seed"].astype("Int64")
        keep = [c for c in ["dataset", "source", "seed", "method", *COLUMNS[n]] if c in frame]
        display = frame[keep] if "method" in frame or "k" in frame else frame
        targets = [o for o in outputs if Path(o).name.startswith(f"infogan_table{n}.")]
        write_table(frame, targets, TITLES[n], display=display)


def save_figure(fig: plt.Figure, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)


def build_figures(
    evaluation: Path, model: Path, cells: Path, outputs: list[str], seed: int
) -> None:
    """Fig. 5 (generator grid), 8 (cells per cluster), 9 (curves), 10 (PCA of proportions)."""
    record = json.loads(Path(evaluation).read_text())
    by_n = {int(Path(o).name.split("_")[1].removeprefix("fig")): o for o in outputs}
    grid = generator_grid(model, rows=8, seed=seed)
    fig, ax = plt.subplots(figsize=(4, 6))
    ax.imshow(grid)
    ax.set(title="Fig. 5: rows z, columns c", xticks=[], yticks=[])
    save_figure(fig, by_n[5])

    crops, _ = read_cells(cells)
    _, critic, config, _ = load_model(model)
    clusters = q_assign(critic, crops)
    rng = np.random.default_rng(seed)
    k, per = config.categories, 12
    canvas = np.full((k * 32, per * 32, 3), 255, np.uint8)
    for c in range(k):
        members = np.flatnonzero(clusters == c)
        for j, i in enumerate(rng.permutation(members)[:per]):
            canvas[c * 32 : (c + 1) * 32, j * 32 : (j + 1) * 32] = crops[i]
    fig, ax = plt.subplots(figsize=(per * 0.5, k * 0.5 + 0.5))
    ax.imshow(canvas)
    ax.set(title="Fig. 8: random cells per Q cluster (rows)", xticks=[], yticks=[])
    save_figure(fig, by_n[8])

    hist = record["history"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].plot(hist["iteration"], hist["value"], label="V(D, G)")
    axes[0].plot(hist["iteration"], hist["info"], label="L_Q")
    axes[0].set(xlabel="generator iterations", title="(a) losses")
    axes[0].legend()
    if hist["purity"]:
        axes[1].plot(hist["iteration"], hist["purity"])
    axes[1].set(xlabel="generator iterations", ylabel="purity", title="(b) purity (train cells)")
    save_figure(fig, by_n[9])

    fig, ax = plt.subplots(figsize=(4, 4))
    if "proportions" in record:
        props = pd.DataFrame(record["proportions"])
        x = props[[c for c in props if c.startswith("P")]].to_numpy()
        xy = PCA(2, random_state=seed).fit_transform(x)
        for label in sorted(set(props["image_label"])):
            sel = (props["image_label"] == label).to_numpy()
            ax.scatter(xy[sel, 0], xy[sel, 1], label=label)
        ax.legend()
    ax.set(title="Fig. 10: PCA of cell proportions", xlabel="PC1", ylabel="PC2")
    save_figure(fig, by_n[10])
