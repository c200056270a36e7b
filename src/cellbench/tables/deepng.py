"""Table I of paper 000: DSB MAP of deepng on the known (CT1), unknown (CT2–7) and all test images.

Built only from evaluation files (``per_image.csv`` next to each ``summary.json``) and the
clustering entropy files; "known" and "unknown" are means over the test images of those groups
(recomputed from the per-image DSB average precision), "all" over every test image. Retrained
runs are aggregated over seeds (mean ± sample std); the otsu_watershed and deepng baselines are
the first rows; the paper's published values (``config/paper_results/deepng_table1.csv``) are
shown beside ours.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.errors import InputError
from cellbench.methods.deepng.runs import parse_run as parse_deepng_run
from cellbench.tables.summaries import read_summary
from cellbench.tables.write import write_table

AP_COLUMN = "dsb_ap"
ALGO_NAMES = {"kmc": "kMC", "ng": "NG", "gng": "GNG", "baseline": "baseline"}
SUBSETS = ("known", "unknown", "all")


def subset_scores(summary_path: str | Path, known_groups: Sequence[str]) -> dict[str, float]:
    """Mean DSB AP over the known-group, unknown-group and all test images of one run."""
    per_image_path = Path(summary_path).with_name("per_image.csv")
    if not per_image_path.is_file():
        raise InputError(per_image_path, "missing (written by the evaluate rule)")
    per_image = pd.read_csv(per_image_path, dtype={"group": str, "image_id": str})
    if AP_COLUMN not in per_image.columns:
        raise InputError(per_image_path, f"no column {AP_COLUMN!r} (has {list(per_image.columns)})")
    known = per_image["group"].isin(list(known_groups))
    return {
        "known": float(per_image.loc[known, AP_COLUMN].mean()),
        "unknown": float(per_image.loc[~known, AP_COLUMN].mean()),
        "all": float(per_image[AP_COLUMN].mean()),
    }


def parse_run(run: str) -> dict[str, object]:
    parsed = parse_deepng_run(run)
    return {
        "algorithm": parsed.algorithm,
        "k": np.nan if parsed.k is None else parsed.k,
        "seed": parsed.seed,
    }


def runs_table(
    summaries: Sequence[str | Path],
    entropies: Sequence[str | Path],
    known_groups: Sequence[str],
) -> pd.DataFrame:
    """One row per deepng run: subset MAPs, seed, cluster count and normalised entropy."""
    clusters = {}
    for path in entropies:
        data = json.loads(Path(path).read_text())
        clusters[Path(path).stem] = (data["n_clusters"], data["normalized_entropy"])
    rows = []
    for path in summaries:
        summary = read_summary(path)
        run = summary.get("run", Path(path).parent.name)
        n_clusters, entropy = clusters.get(run, (np.nan, np.nan))
        rows.append(
            {
                "dataset": summary.get("dataset", Path(path).parent.parent.name),
                "run": run,
                **parse_run(run),
                **subset_scores(path, known_groups),
                "n_clusters": n_clusters,
                "normalized_entropy": entropy,
                "config_hash": summary.get("provenance", {}).get("config_hash"),
                "git_commit": summary.get("provenance", {}).get("git_commit"),
                "dataset_incomplete": "; ".join(summary.get("dataset_incomplete") or []) or None,
            }
        )
    return pd.DataFrame(rows)


def row_name(algorithm: str, k: float) -> str:
    name = ALGO_NAMES.get(algorithm, algorithm)
    return name if algorithm in ("baseline", "otsu_watershed") else f"{name} ({int(k)})"


def format_mean_std(mean: float, std: float, digits: int = 2) -> str:
    if pd.isna(mean):
        return "–"
    return f"{mean:.{digits}f}" if pd.isna(std) else f"{mean:.{digits}f} ± {std:.{digits}f}"


def aggregate(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample std over seeds per (algorithm, k)."""
    keys = ["algorithm", "k"]
    grouped = runs.assign(k=runs["k"].fillna(-1)).groupby(keys, sort=False)
    out = grouped[list(SUBSETS)].agg(["mean", "std"])
    out.columns = [f"{subset}_{stat}" for subset, stat in out.columns]
    out["n_seeds"] = grouped.size()
    out["n_clusters"] = grouped["n_clusters"].mean()
    out = out.reset_index()
    out["k"] = out["k"].replace(-1, np.nan)
    return out


def deepng_table1(
    summaries: Sequence[str | Path],
    entropies: Sequence[str | Path],
    otsu_summary: str | Path | None,
    paper_csv: str | Path,
    outputs: Sequence[str | Path],
    runs_csv: str | Path,
    *,
    known_groups: Sequence[str] = ("CT1",),
) -> pd.DataFrame:
    """Write Table I (csv/md/tex) and the per-run table; return Table I (full precision)."""
    runs = runs_table(summaries, entropies, known_groups)
    runs.to_csv(runs_csv, index=False)
    ours = aggregate(runs)
    if otsu_summary:  # None when otsu_watershed does not run on the dataset
        otsu = {"algorithm": "otsu_watershed", "k": np.nan, "n_seeds": 1}
        for subset, value in subset_scores(otsu_summary, known_groups).items():
            otsu[f"{subset}_mean"], otsu[f"{subset}_std"] = value, np.nan
        ours = pd.concat([pd.DataFrame([otsu]), ours], ignore_index=True)
    paper = pd.read_csv(paper_csv)
    paper = paper.rename(
        columns={s: f"paper_{s}" for s in SUBSETS} | {f"{s}_std": f"paper_{s}_std" for s in SUBSETS}
    )
    table = ours.merge(
        paper.drop(columns=["name"], errors="ignore"),
        on=["algorithm", "k"],
        how="outer",
        sort=False,
    )
    order = {"otsu_watershed": 0, "baseline": 1, "kmc": 2, "ng": 2, "gng": 3}
    table["_order"] = table["algorithm"].map(order).fillna(4)
    table = table.sort_values(["_order", "k", "algorithm"], kind="stable").drop(columns="_order")
    table.insert(
        0, "name", [row_name(a, k) for a, k in zip(table["algorithm"], table["k"], strict=True)]
    )
    table["dataset"] = ", ".join(sorted(runs["dataset"].unique()))
    display = pd.DataFrame({"name": table["name"]})
    labels = {"known": "CT1 (known)", "unknown": "without CT1 (unknown)", "all": "all"}
    for subset in SUBSETS:
        display[labels[subset]] = [
            format_mean_std(m, s)
            for m, s in zip(table[f"{subset}_mean"], table[f"{subset}_std"], strict=True)
        ]
    for subset in SUBSETS:
        display[f"paper {subset}"] = [
            format_mean_std(m, s)
            for m, s in zip(table[f"paper_{subset}"], table[f"paper_{subset}_std"], strict=True)
        ]
    display["seeds"] = table["n_seeds"].map(lambda n: "–" if pd.isna(n) else str(int(n)))
    display["clusters"] = table["n_clusters"].map(lambda n: "–" if pd.isna(n) else f"{n:.0f}")
    write_table(
        table,
        outputs,
        "Table I (paper 000): DSB 2018 MAP by pseudo-labelling strategy, mean ± std over seeds",
        display=display,
        digits=2,
        runs=runs,
    )
    return table
