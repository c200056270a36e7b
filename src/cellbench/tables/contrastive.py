"""contrastive (paper 003) Tables 1 and 2, paper beside ours.

Published numbers are data (``config/paper_results/contrastive_table{1,2}.csv``). Table 1:
per sweep cell, the median over runs of the hold-out Dice in the run files of
:mod:`cellbench.methods.contrastive.sweep`. Table 2, from evaluation summaries and model files: CSL
rows are statistics over the runs (seeds) of a dataset: max, mean ± sd and the 80th percentile of the
per-run test Dice (mean over images); runs whose channels never reached a training Dice > 0 are
counted in ``no_useful_channel``. Time = measured seconds to the selected epoch on this machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.io import atomic_path
from cellbench.methods.contrastive.checkpoint import load_checkpoint
from cellbench.methods.contrastive.sweep import read_cell
from cellbench.tables.summaries import load_summaries
from cellbench.tables.write import write_table

PAPER_DATASETS = {"monuseg": "MoNuSeg", "consep": "CoNSeP"}


def model_rows(paths: Sequence[str | Path], kind: str) -> pd.DataFrame:
    """Dataset, run, #params, useful flag, seconds to the selected epoch, epoch, device."""
    rows = []
    for path in paths:
        path = Path(path)
        record = load_checkpoint(path, kind)
        rows.append(
            {
                "dataset": path.parent.parent.name,
                "run": path.parent.name,
                "n_parameters": record["n_parameters"],
                "useful": bool(record["useful"]),
                "seconds_to_best": record["seconds_to_best"],
                "epoch": record["epoch"],
                "train_dice": record["train_dice"],
                "train_device": record["device"],
            }
        )
    return pd.DataFrame(rows)


def published_value(published: pd.DataFrame, dataset: str, method: str, stat: str) -> float:
    paper = PAPER_DATASETS.get(dataset)
    rows = published[
        (published["paper_dataset"] == paper)
        & (published["method"] == method)
        & (published["statistic"].fillna("") == stat)
    ]
    return float(rows["dice"].iloc[0]) if len(rows) else float("nan")


def csl_rows(runs: pd.DataFrame, models: pd.DataFrame, published: pd.DataFrame) -> list[dict]:
    rows = []
    merged = runs.merge(models, on=["dataset", "run"], how="left")
    for dataset, frame in merged.groupby("dataset", sort=True):
        dice, aji = frame["dice"].to_numpy(), frame["aji"].to_numpy()
        common = {
            "dataset": dataset,
            "method": "CSL (ours)",
            "runs": len(frame),
            "no_useful_channel": int((~frame["useful"].astype(bool)).sum()),
            "params": int(frame["n_parameters"].iloc[0]),
            "seconds_to_selected_epoch": float(frame["seconds_to_best"].mean()),
            "device": frame["train_device"].iloc[0],
        }
        stats = {
            "max": (dice.max(), aji[np.argmax(dice)], "max"),
            "mean": (dice.mean(), aji.mean(), "mean"),
            "sd": (dice.std(ddof=1) if len(dice) > 1 else float("nan"), float("nan"), "sd"),
            "p80": (np.percentile(dice, 80), np.percentile(aji, 80), "p80"),
        }
        for stat, (d, a, paper_stat) in stats.items():
            rows.append(
                {
                    **common,
                    "statistic": stat,
                    "dice": float(d),
                    "aji": float(a),
                    "paper_dice": published_value(published, dataset, "Ours", paper_stat),
                }
            )
    return rows


def single_rows(
    runs: pd.DataFrame, published: pd.DataFrame, method: str, paper_method: str | None
) -> list[dict]:
    return [
        {
            "dataset": row.dataset,
            "method": method,
            "statistic": "",
            "runs": 1,
            "dice": row.dice,
            "aji": row.aji,
            "paper_dice": published_value(published, row.dataset, paper_method, "")
            if paper_method
            else float("nan"),
            "device": row.device,
        }
        for row in runs.itertuples(index=False)
    ]


def table2_data(
    csl: pd.DataFrame,
    csl_models: pd.DataFrame,
    threshold: pd.DataFrame,
    cnn: pd.DataFrame,
    cnn_models: pd.DataFrame,
    otsu: pd.DataFrame,
    published: pd.DataFrame,
) -> pd.DataFrame:
    rows = single_rows(threshold, published, "Int. Thresh.", "Int. Thresh.")
    cnn_rows = single_rows(cnn, published, "CNN (supervised)", "CNN")
    for row, model in zip(cnn_rows, cnn_models.itertuples(index=False), strict=True):
        row.update(params=model.n_parameters, seconds_to_selected_epoch=model.seconds_to_best)
    rows += cnn_rows
    for dataset in sorted(set(csl["dataset"])):
        paper = published_value(published, dataset, "Scale Pretext", "")
        if not np.isnan(paper):
            rows.append(
                {
                    "dataset": dataset,
                    "method": "Scale Pretext (published only)",
                    "paper_dice": paper,
                }
            )
    rows += single_rows(otsu, published, "otsu_watershed", None)
    rows += csl_rows(csl, csl_models, published)
    return pd.DataFrame(rows).sort_values("dataset", kind="stable").reset_index(drop=True)


def table2(
    csl: Sequence[str | Path],
    csl_models: Sequence[str | Path],
    threshold: Sequence[str | Path],
    cnn: Sequence[str | Path],
    cnn_models: Sequence[str | Path],
    otsu: Sequence[str | Path],
    published: str | Path,
    outputs: Sequence[str | Path],
) -> pd.DataFrame:
    """Write Table 2 (.csv with provenance, .md, .tex)."""
    data = table2_data(
        load_summaries(csl),
        model_rows(csl_models, "csl"),
        load_summaries(threshold),
        load_summaries(cnn),
        model_rows(cnn_models, "cnn"),
        load_summaries(otsu),
        pd.read_csv(published, dtype={"statistic": str}),
    )
    columns = [
        "dataset",
        "method",
        "statistic",
        "dice",
        "paper_dice",
        "aji",
        "runs",
        "no_useful_channel",
        "params",
        "seconds_to_selected_epoch",
        "device",
    ]
    display = data.reindex(columns=columns).astype(object)
    for column in ("runs", "no_useful_channel", "params"):
        display[column] = pd.Series(
            [None if pd.isna(v) else int(v) for v in display[column]], dtype=object
        )
    write_table(
        data,
        outputs,
        "contrastive (paper 003) Table 2: test Dice (mean over images) and AJI",
        display,
        digits=4,
    )
    return data


def table1_data(
    runs: list[dict], patches: int, patch_size: int, published: pd.DataFrame
) -> pd.DataFrame:
    """One row per dataset, factor and value: median (and each run's) hold-out Dice.

    ``patches``/``patch_size`` are the method's own values, which the other factor's row is
    swept at (so the cell at both appears in both rows, as in the paper's table)."""
    frame = pd.DataFrame(runs)
    rows = []
    for dataset, by_dataset in frame.groupby("dataset", sort=True):
        for factor, fixed, column, swept in (
            ("patches", "patch_size", patch_size, "patches"),
            ("patch size", "patches", patches, "patch_size"),
        ):
            cells = by_dataset[by_dataset[fixed] == column]
            for value, cell in cells.groupby(swept, sort=True):
                cell = cell.sort_values("seed")
                scores = cell["validation_dice"].to_numpy()
                provenance = cell["provenance"].iloc[0]
                paper = published[
                    (published["paper_dataset"] == PAPER_DATASETS.get(dataset))
                    & (published["factor"] == factor)
                    & (published["value"] == value)
                ]
                rows.append(
                    {
                        "dataset": dataset,
                        "factor": factor,
                        "value": int(value),
                        "patches": int(cell["patches"].iloc[0]),
                        "patch_size": int(cell["patch_size"].iloc[0]),
                        "validation_dice": float(np.median(scores)),
                        "paper_dice": float(paper["dice"].iloc[0]) if len(paper) else float("nan"),
                        "runs": len(cell),
                        "per_run": ", ".join(f"{s:.4f}" for s in scores),
                        "seeds": ", ".join(str(int(s)) for s in cell["seed"]),
                        "no_useful_channel": int((~cell["useful"].astype(bool)).sum()),
                        "fit_images": len(cell["fit_images"].iloc[0]),
                        "validation_images": len(cell["validation_images"].iloc[0]),
                        "split_seed": int(cell["split_seed"].iloc[0]),
                        "config_hash": provenance.get("config_hash"),
                        "git_commit": provenance.get("git_commit"),
                        "host": provenance.get("host"),
                        "device": provenance.get("device"),
                    }
                )
    return pd.DataFrame(rows)


def validation_split_rows(runs: list[dict]) -> pd.DataFrame:
    """Dataset, image id and role (fit / validation) of the hold-out every run shares."""
    rows, splits = [], {}
    for run in runs:
        split = (tuple(run["fit_images"]), tuple(run["validation_images"]))
        if splits.setdefault(run["dataset"], split) != split:
            raise ValueError(f"Table 1 runs of {run['dataset']} use different hold-outs")
    for dataset, (fit, validation) in sorted(splits.items()):
        rows += [{"dataset": dataset, "image_id": i, "role": "fit"} for i in fit]
        rows += [{"dataset": dataset, "image_id": i, "role": "validation"} for i in validation]
    return pd.DataFrame(rows, columns=["dataset", "image_id", "role"])


def table1(
    runs: Sequence[str | Path],
    patches: int,
    patch_size: int,
    published: str | Path,
    outputs: Sequence[str | Path],
    split_output: str | Path,
) -> pd.DataFrame:
    """Write Table 1 (.csv with provenance, .md, .tex) and the hold-out it was scored on."""
    records = [read_cell(path) for path in runs]
    data = table1_data(records, patches, patch_size, pd.read_csv(published))
    columns = [
        "dataset",
        "factor",
        "value",
        "validation_dice",
        "paper_dice",
        "per_run",
        "runs",
        "no_useful_channel",
        "fit_images",
        "validation_images",
    ]
    write_table(
        data,
        outputs,
        "contrastive (paper 003) Table 1: median hold-out Dice over runs, one factor at a time",
        data.reindex(columns=columns).astype(object),
        digits=4,
        legend=[
            f"patches: per image and channel, at patch size {patch_size}; patch size: side in "
            f"px, at {patches} patches (the method's own values)",
            "validation_dice: median over runs of the mean Dice on a seeded hold-out of the "
            "training images (contrastive_table1_validation.csv), after the Table 2 "
            "post-processing; epoch and channel selected on the other training images",
        ],
    )
    with atomic_path(split_output) as tmp:
        validation_split_rows(records).to_csv(tmp, index=False)
    return data
