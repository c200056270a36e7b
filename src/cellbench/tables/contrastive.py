"""contrastive (paper 003) Table 2 from evaluation summaries and model files, paper beside ours.

Published numbers are data (``config/paper_results/contrastive_table2.csv``). CSL rows are
statistics over the runs (seeds) of a dataset: max, mean ± sd and the 80th percentile of the
per-run test Dice (mean over images); runs whose channels never reached a training Dice > 0 are
counted in ``no_useful_channel``. Time = measured seconds to the selected epoch on this machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.methods.contrastive.checkpoint import load_checkpoint
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
