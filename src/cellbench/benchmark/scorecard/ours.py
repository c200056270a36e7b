"""Our numbers for the scorecard, keyed like the claims they answer.

From the tables the method rules already write (``results/tables/*.csv``, found by file name),
the spoco evaluation summaries, the per-group scores of cellulus' summaries (TissueNet tissues),
and the device and config hash of every run from the evaluation summaries' provenance.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cellbench.benchmark.scorecard.claims import (
    CONTRASTIVE_ROWS,
    GROUPED,
    INFOGAN_METRICS,
    KEY,
    as_float,
    read_table,
    roman,
    spoco_row,
    statistic,
)
from cellbench.errors import InputError
from cellbench.methods.cellulus.runs import parse_run
from cellbench.tables.spoco import spoco_rows
from cellbench.tables.summaries import read_summary

PROVENANCE_COLUMNS = ["method", "dataset", "device", "config_hash"]


def over_seeds(values: pd.Series) -> dict[str, Any]:
    """Mean, sample sd (None for one seed) and number of seeds of one number over runs."""
    return {
        "value": values.mean(),
        "sd": values.std(ddof=1) if len(values) > 1 else None,
        "n_seeds": len(values),
    }


def _ours(
    *,
    table: str,
    row: str,
    metric: str,
    dataset: str,
    method: str,
    value: Any,
    sd: Any = None,
    n_seeds: Any = 1,
) -> dict[str, Any]:
    """One of our numbers, keyed like the claim it answers."""
    return {
        "table": table,
        "row": row,
        "metric": metric,
        "dataset": dataset,
        "method": method,
        "value": as_float(value),
        "sd": as_float(sd),
        "n_seeds": int(float(n_seeds or 1)),
    }


def cellulus_ours(table1: str | Path | None, table2: str | Path | None) -> list[dict[str, Any]]:
    """Our rows of ``cellulus_table1.csv`` (mean ± std over seeds) and ``cellulus_table2.csv``."""
    rows = []
    if table1:
        frame = read_table(table1, ["dataset", "method", "source", "runs", "f1", "f1_std", "seg"])
        for r in frame[frame["source"] == "ours"].to_dict("records"):
            for metric in ("f1", "seg"):
                rows.append(
                    _ours(
                        table="cellulus Table 1",
                        row=r["method"],
                        metric=metric,
                        dataset=r["dataset"],
                        method=r["method"],
                        value=r[metric],
                        sd=r[f"{metric}_std"],
                        n_seeds=r["runs"],
                    )
                )
    if table2:
        frame = read_table(table2, ["dataset", "scale", "f1", "seg", "source"])
        for r in frame[frame["source"] == "ours"].to_dict("records"):
            for metric in ("f1", "seg"):
                rows.append(
                    _ours(
                        table="cellulus Table 2",
                        row=f"scale {float(r['scale']):g}",
                        metric=metric,
                        dataset=r["dataset"],
                        method="cellulus",
                        value=r[metric],
                    )
                )
    return rows


def contrastive_table1_ours(path: str | Path) -> list[dict[str, Any]]:
    """``contrastive_table1.csv``: median hold-out Dice of every sweep cell."""
    frame = read_table(path, ["dataset", "factor", "value", "validation_dice", "runs"])
    return [
        _ours(
            table="contrastive Table 1",
            row=f"{r['factor']} {r['value']}",
            metric="validation_dice",
            dataset=r["dataset"],
            method="contrastive",
            value=r["validation_dice"],
            n_seeds=r["runs"],
        )
        for r in frame.to_dict("records")
    ]


def contrastive_ours(path: str | Path) -> list[dict[str, Any]]:
    """``contrastive_table2.csv``: CSL statistics over runs, the threshold and CNN baselines."""
    frame = read_table(path, ["dataset", "method", "statistic", "runs", "dice"])
    rows = []
    for r in frame.to_dict("records"):
        method = CONTRASTIVE_ROWS.get(r["method"], r["method"])
        sd = None
        if method == "Ours" and r["statistic"] == "mean":
            sd = statistic(frame, "dataset", r["dataset"], r["method"], "sd")
        rows.append(
            _ours(
                table="contrastive Table 2",
                row=f"{method} ({r['statistic']})" if r["statistic"] else method,
                metric="dice",
                dataset=r["dataset"],
                method="contrastive",
                value=r["dice"],
                sd=sd,
                n_seeds=r["runs"],
            )
        )
    return rows


def deepng_ours(path: str | Path) -> list[dict[str, Any]]:
    """``deepng_table1.csv``: the rows with our numbers (mean ± std over seeds)."""
    subsets = [f"{s}_{stat}" for s in ("known", "unknown", "all") for stat in ("mean", "std")]
    frame = read_table(path, ["name", "n_seeds", "dataset", *subsets])
    rows = []
    for r in frame[frame["n_seeds"] != ""].to_dict("records"):
        for subset in ("known", "unknown", "all"):
            rows.append(
                _ours(
                    table="deepng Table I",
                    row=r["name"],
                    metric=f"map_{subset}",
                    dataset=r["dataset"],
                    method="otsu_watershed" if r["name"] == "otsu_watershed" else "deepng",
                    value=r[f"{subset}_mean"],
                    sd=r[f"{subset}_std"],
                    n_seeds=r["n_seeds"],
                )
            )
    return rows


def infogan_ours(tables: Mapping[int, str | Path]) -> list[dict[str, Any]]:
    """``infogan_table{1,3,4}.csv`` (number -> path): cellbench rows, mean ± sd over seeds."""
    rows = []
    for number, path in sorted(tables.items()):
        frame = read_table(path, ["dataset", "seed", "source", "method"])
        frame = frame[frame["source"] == "cellbench"]
        for (dataset, method), group in frame.groupby(["dataset", "method"], sort=True):
            for metric in INFOGAN_METRICS:
                if metric not in group or (group[metric] == "").all():
                    continue
                values = group[metric].replace("", np.nan).astype(float)
                rows.append(
                    _ours(
                        table=f"infogan Table {roman(number)}",
                        row=method,
                        metric=metric,
                        dataset=dataset,
                        method="infogan",
                        **over_seeds(values),
                    )
                )
    return rows


def group_ours(summaries: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Per-group F1/SEG of the cellulus Table 1 methods on the :data:`GROUPED` datasets, as
    datasets ``<dataset>-<group>``: Table 1 from the seed runs (cellulus; the pretrained tools'
    single run), mean ± sd over seeds; Table 2, on datasets with a scale sweep, from cellulus'
    scale runs (its seed runs: scale 1)."""

    records = []
    for path in summaries:
        summary = read_summary(path)
        if summary["dataset"] not in GROUPED:
            continue
        scale = parse_run(summary["run"])[1] if summary["method"] == "cellulus" else None
        for group, metrics in summary.get("groups", {}).items():
            records.append(
                {
                    "method": summary["method"],
                    "dataset": f"{summary['dataset']}-{group.lower()}",
                    "scale": 1.0 if scale is None else scale,
                    "seed_run": scale is None,
                    "f1": metrics["f1"],
                    "seg": metrics["seg"],
                }
            )
    rows = []
    frame = pd.DataFrame(records, columns=["method", "dataset", "scale", "seed_run", "f1", "seg"])
    swept = set(frame.loc[~frame["seed_run"] & (frame["method"] == "cellulus"), "dataset"])
    for (method, dataset, scale), group in frame.groupby(["method", "dataset", "scale"]):
        sweep = method == "cellulus" and dataset in swept
        tables = [("cellulus Table 2", f"scale {scale:g}")] if sweep else []
        if group["seed_run"].all():
            tables.append(("cellulus Table 1", method))
        for (table, row), metric in product(tables, ("f1", "seg")):
            values = group[metric].astype(float)
            rows.append(
                _ours(
                    table=table,
                    row=row,
                    metric=metric,
                    dataset=dataset,
                    method=method,
                    **over_seeds(values),
                )
            )
    return rows


def spoco_ours(runs: pd.DataFrame) -> list[dict[str, Any]]:
    """spoco runs (:func:`cellbench.tables.spoco.spoco_rows`): mean ± sd of SBD and |DiC| over
    seeds per (training mode, clustering, foreground), once for each table that lists it."""
    rows = []
    keys = ["dataset", "mode", "clustering", "foreground"]
    for (dataset, mode, clustering, fg), group in runs.groupby(keys, sort=True):
        row = spoco_row({"mode": mode, "clustering": clustering, "foreground": fg})
        for table, metric in product(("1", "14", "16"), ("sbd", "abs_dic")):
            values = group[metric].astype(float)
            rows.append(
                _ours(
                    table=f"spoco Table {table}",
                    row=row,
                    metric=metric,
                    dataset=dataset,
                    method="spoco",
                    **over_seeds(values),
                )
            )
    return rows


def provenance_by_run(paths: Iterable[str | Path]) -> pd.DataFrame:
    """(method, dataset, device, config_hash) of every evaluation summary or infogan
    ``tables.json`` (``results/evaluation/<method>/<dataset>/<run>/...``)."""
    rows = []
    for path in paths:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(path, f"not readable JSON ({exc})") from exc
        prov = data.get("provenance", {})
        prediction = (data.get("prediction_provenance") or {}).get("provenance", {})
        rows.append(
            {
                "method": data.get("method", path.parts[-4]),
                "dataset": data.get("dataset", path.parts[-3]),
                "device": prediction.get("device", prov.get("device")),
                "config_hash": prov.get("config_hash"),
            }
        )
    return pd.DataFrame(rows, columns=PROVENANCE_COLUMNS)


def our_numbers(
    tables: Sequence[str | Path],
    spoco_summaries: Sequence[str | Path],
    group_summaries: Sequence[str | Path] = (),
) -> pd.DataFrame:
    """Every number of ours that answers a claim, from the method tables the run wrote (found by
    file name: cellulus_table{1,2}, contrastive_table{1,2}, deepng_table1, infogan_table{1,3,4}), the
    spoco evaluation summaries and the per-group scores of cellulus' and the pretrained tools'
    summaries (:func:`group_ours`)."""

    by_name = {Path(path).stem: path for path in tables}
    rows = cellulus_ours(by_name.get("cellulus_table1"), by_name.get("cellulus_table2"))
    if "contrastive_table1" in by_name:
        rows += contrastive_table1_ours(by_name["contrastive_table1"])
    if "contrastive_table2" in by_name:
        rows += contrastive_ours(by_name["contrastive_table2"])
    if "deepng_table1" in by_name:
        rows += deepng_ours(by_name["deepng_table1"])
    rows += infogan_ours(
        {n: by_name[f"infogan_table{n}"] for n in (1, 3, 4) if f"infogan_table{n}" in by_name}
    )
    if spoco_summaries:
        rows += spoco_ours(spoco_rows(spoco_summaries, []))
    rows += group_ours(group_summaries)
    return pd.DataFrame(rows, columns=[*KEY, "method", "value", "sd", "n_seeds"])
