"""Reproduction scorecard (issue 16): every published number cellbench regenerates, ours beside it.

The published numbers are data (``config/paper_results/*.csv``); each reader below turns one
paper's file into *claims*: one row per (table, row, metric, dataset) with the published value
and, where the paper gives one, its standard deviation. Our numbers come from the tables each
method's rules already write (``results/tables/*.csv``) and, for spoco, from its evaluation
summaries; they are keyed the same way. :func:`scorecard` matches the two and decides per claim:

* ours on the paper's own dataset: the difference and whether it lies within the paper's spread
  (± the published sd where there is one, else the configured absolute tolerance);
* ours only on the synthetic stand-in of that dataset (the default configuration): shown, never
  compared ("synthetic stand-in: not comparable");
* nothing: "not run in this configuration" (or the paper's dataset is not one cellbench has).

Rows of other authors' methods that cellbench does not implement are not claims it can check;
they are counted and named under the table instead of being compared or silently dropped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cellbench.errors import InputError

KEY = ["table", "row", "metric", "dataset"]
PROVENANCE_COLUMNS = ["method", "dataset", "device", "config_hash"]
# The scorecard CSV: what a reader compares first, then how the claim was matched.
CARD_COLUMNS = [
    "paper",
    "table",
    "label",
    "metric",
    "paper_dataset",
    "published",
    "published_sd",
    "ours",
    "ours_sd",
    "n_seeds",
    "our_dataset",
    "difference",
    "spread",
    "spread_basis",
    "within",
    "verdict",
    "preset",
    "device",
    "config_hash",
    "method",
    "row",
    "dataset",
]
CLAIM_COLUMNS = [
    "paper",
    "method",
    *KEY,
    "label",
    "paper_dataset",
    "published",
    "published_sd",
    "regenerated",
]


REPRODUCED = "reproduced"
OUTSIDE = "outside the paper's spread"
STAND_IN = "synthetic stand-in: not comparable"
NOT_RUN = "not run in this configuration"
NO_DATASET = "not run: not a cellbench dataset"

# Real dataset (name prefix) -> its synthetic stand-in in the embedded suite (cellbench.data.synth).
STAND_INS = {
    "dsb2018": "synth-dsb",
    "ctc-": "synth-ctc",
    "tissuenet": "synth-tissuenet",
    "monuseg": "synth-histo",
    "consep": "synth-histo",
    "marrow-": "synth-marrow",
    "cvppp-": "synth-leaves",
}
# Datasets whose groups (evaluation summaries: "groups") a paper reports as datasets of their own:
# cellulus Tables 1-2 give TissueNet per tissue, here tissuenet-<tissue> (and its stand-in's).
GROUPED = ("tissuenet", "synth-tissuenet")
METRIC_LABELS = {
    "f1": "F1@0.5",
    "seg": "SEG",
    "dice": "Dice",
    "map_known": "MAP CT1 (known)",
    "map_unknown": "MAP CT2-7 (unknown)",
    "map_all": "MAP all",
    "precision": "precision",
    "recall": "recall",
    "f_score": "F-score",
    "purity": "purity",
    "entropy_sizes": "entropy of sizes",
    "sbd": "SBD",
    "abs_dic": "|DiC|",
}
INFOGAN_METRICS = ("precision", "recall", "f_score", "purity", "entropy_sizes")
# Paper dataset names that are not cellbench dataset names.
CONTRASTIVE_DATASETS = {"MoNuSeg": "monuseg", "CoNSeP": "consep"}
INFOGAN_DATASETS = {"A": "marrow-a", "B": "marrow-b", "C": "marrow-c"}
# Our table's row names where they differ from the paper's.
CONTRASTIVE_ROWS = {"CNN (supervised)": "CNN", "CSL (ours)": "Ours"}
# Rows cellbench regenerates (the rest are other authors' methods it does not implement).
CONTRASTIVE_OURS = {"Int. Thresh.", "CNN", "Ours"}
INFOGAN_OURS = {
    "MF",
    "Our Method",
    "MF+k-means",
    "HOG+DEC",
    "Our Method (unsupervised)",
    "Our Method (with SVM)",
}


def split_subset(dataset: str) -> tuple[str, str | None]:
    """(dataset, group) of a paper dataset that is one group of a cellbench dataset, e.g.
    ``tissuenet-immune`` -> (``tissuenet``, ``immune``); (dataset, None) otherwise."""
    for parent in GROUPED:
        if dataset.startswith(f"{parent}-"):
            return parent, dataset.removeprefix(f"{parent}-")
    return dataset, None


def stand_in(dataset: str | None) -> str | None:
    """The synthetic dataset (or group of one) that mimics ``dataset`` (None when none does)."""
    if not dataset:
        return None
    parent, group = split_subset(dataset)
    for prefix, synthetic in STAND_INS.items():
        if parent == prefix or (prefix.endswith("-") and parent.startswith(prefix)):
            return synthetic if group is None else f"{synthetic}-{group}"
    return None


def _nan(value: Any) -> float:
    return float("nan") if value is None or pd.isna(value) or value == "" else float(value)


def _claim(
    *,
    paper: str,
    method: str,
    table: str,
    row: str,
    metric: str,
    dataset: str | None,
    paper_dataset: str,
    value: Any,
    sd: Any = None,
    regenerated: bool = True,
    label: str | None = None,
) -> dict[str, Any]:
    """One published number; ``row`` identifies it for matching, ``label`` is the paper's name."""
    return {
        "paper": paper,
        "method": method,
        "table": table,
        "row": row,
        "label": row if label is None else label,
        "metric": metric,
        "dataset": dataset,
        "paper_dataset": paper_dataset,
        "published": _nan(value),
        "published_sd": _nan(sd),
        "regenerated": regenerated,
    }


def _read(path: str | Path, columns: Iterable[str]) -> pd.DataFrame:
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a readable CSV ({exc})") from exc
    missing = set(columns) - set(frame.columns)
    if missing:
        raise InputError(path, f"missing columns {sorted(missing)}")
    return frame


# ---- published claims -----------------------------------------------------------------------


def cellulus_claims(table1: str | Path, table2: str | Path) -> list[dict[str, Any]]:
    """Paper 001 Table 1 (F1/SEG of cellulus, StarDist, Cellpose) and Table 2 (scale sweep)."""
    claims = []
    for r in _read(table1, ["dataset", "paper_dataset", "method", "f1", "seg"]).to_dict("records"):
        for metric in ("f1", "seg"):
            claims.append(
                _claim(
                    paper="001",
                    method=r["method"],
                    table="cellulus Table 1",
                    row=r["method"],
                    metric=metric,
                    dataset=r["dataset"],
                    paper_dataset=r["paper_dataset"],
                    value=r[metric],
                )
            )
    for r in _read(table2, ["dataset", "paper_dataset", "scale", "f1", "seg"]).to_dict("records"):
        for metric in ("f1", "seg"):
            claims.append(
                _claim(
                    paper="001",
                    method="cellulus",
                    table="cellulus Table 2",
                    row=f"scale {float(r['scale']):g}",
                    metric=metric,
                    dataset=r["dataset"],
                    paper_dataset=r["paper_dataset"],
                    value=r[metric],
                )
            )
    return claims


def contrastive_claims(path: str | Path) -> list[dict[str, Any]]:
    """Paper 003 Table 2: test Dice; the mean over runs carries the published sd over runs."""
    frame = _read(path, ["paper_dataset", "method", "statistic", "dice"])
    claims = []
    for r in frame.to_dict("records"):
        sd = None
        if r["method"] == "Ours" and r["statistic"] == "mean":
            sd = _statistic(frame, "paper_dataset", r["paper_dataset"], "Ours", "sd")
        claims.append(
            _claim(
                paper="003",
                method="contrastive",
                table="contrastive Table 2",
                row=f"{r['method']} ({r['statistic']})" if r["statistic"] else r["method"],
                metric="dice",
                dataset=CONTRASTIVE_DATASETS.get(r["paper_dataset"]),
                paper_dataset=r["paper_dataset"],
                value=r["dice"],
                sd=sd,
                regenerated=r["method"] in CONTRASTIVE_OURS,
            )
        )
    return claims


def _statistic(frame: pd.DataFrame, column: str, dataset: str, method: str, stat: str):
    """The Dice of ``method``'s ``stat`` row on ``dataset`` (None if absent)."""
    hit = frame[
        (frame[column] == dataset) & (frame["method"] == method) & (frame["statistic"] == stat)
    ]
    return hit["dice"].iloc[0] if len(hit) else None


def deepng_claims(path: str | Path) -> list[dict[str, Any]]:
    """Paper 000 Table I: DSB 2018 MAP on CT1, CT2-7 and all test images, mean ± sd over seeds."""
    frame = _read(path, ["name", "known", "known_std", "unknown", "unknown_std", "all", "all_std"])
    claims = []
    for r in frame.to_dict("records"):
        for subset in ("known", "unknown", "all"):
            claims.append(
                _claim(
                    paper="000",
                    method="deepng",
                    table="deepng Table I",
                    row=r["name"],
                    metric=f"map_{subset}",
                    dataset="dsb2018",
                    paper_dataset="DSB 2018",
                    value=r[subset],
                    sd=r[f"{subset}_std"],
                )
            )
    return claims


def infogan_claims(path: str | Path) -> list[dict[str, Any]]:
    """Paper 002 Tables I, III and IV: classification and clustering scores of the cells."""
    frame = _read(path, ["table", "paper_dataset", "method", *INFOGAN_METRICS])
    claims = []
    for r in frame.to_dict("records"):
        for metric in INFOGAN_METRICS:
            if r[metric] == "":
                continue
            claims.append(
                _claim(
                    paper="002",
                    method="infogan",
                    table=f"infogan Table {_roman(int(r['table']))}",
                    row=r["method"],
                    metric=metric,
                    dataset=INFOGAN_DATASETS.get(r["paper_dataset"]),
                    paper_dataset=r["paper_dataset"],
                    value=r[metric],
                    regenerated=r["method"] in INFOGAN_OURS,
                )
            )
    return claims


def spoco_claims(path: str | Path) -> list[dict[str, Any]]:
    """Paper 004 Tables 1, 14 and 16: SBD and |DiC| (clustering seconds are not compared: they
    measure the hardware). Rows without a training mode are not regenerated by cellbench."""
    columns = ["table", "row", "mode", "clustering", "foreground", "sbd", "sbd_sd", "abs_dic"]
    frame = _read(path, [*columns, "abs_dic_sd"])
    claims = []
    for r in frame.to_dict("records"):
        for metric in ("sbd", "abs_dic"):
            claims.append(
                _claim(
                    paper="004",
                    method="spoco",
                    table=f"spoco Table {r['table']}",
                    row=_spoco_row(r),
                    label=r["row"],
                    metric=metric,
                    dataset="cvppp-a1",
                    paper_dataset="CVPPP A1",
                    value=r[metric],
                    sd=r[f"{metric}_sd"],
                    regenerated=r["mode"] != "",
                )
            )
    return claims


def _spoco_row(record: Mapping[str, Any]) -> str:
    """A spoco row's identity: (training mode, clustering, foreground) where it has one."""
    if not record["mode"]:
        return str(record["row"])
    return f"{record['mode']} {record['clustering']} fg={record['foreground']}"


def _roman(number: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(number, str(number))


PUBLISHED = (
    "deepng_table1",
    "cellulus_table1",
    "cellulus_table2",
    "infogan",
    "contrastive_table2",
    "spoco_tables",
)


def published_claims(files: Sequence[str | Path]) -> pd.DataFrame:
    """Every published number of the five papers as one claims table; ``files`` are the CSVs of
    ``config/paper_results`` (found by name: :data:`PUBLISHED`)."""
    by_name = {Path(path).stem: Path(path) for path in files}
    missing = [name for name in PUBLISHED if name not in by_name]
    if missing:
        raise InputError(None, f"published results missing: {', '.join(missing)} (.csv)")
    claims = [
        *deepng_claims(by_name["deepng_table1"]),
        *cellulus_claims(by_name["cellulus_table1"], by_name["cellulus_table2"]),
        *infogan_claims(by_name["infogan"]),
        *contrastive_claims(by_name["contrastive_table2"]),
        *spoco_claims(by_name["spoco_tables"]),
    ]
    return pd.DataFrame(claims, columns=CLAIM_COLUMNS)


# ---- our numbers ----------------------------------------------------------------------------


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
        "value": _nan(value),
        "sd": _nan(sd),
        "n_seeds": int(float(n_seeds or 1)),
    }


def cellulus_ours(table1: str | Path | None, table2: str | Path | None) -> list[dict[str, Any]]:
    """Our rows of ``cellulus_table1.csv`` (mean ± std over seeds) and ``cellulus_table2.csv``."""
    rows = []
    if table1:
        frame = _read(table1, ["dataset", "method", "source", "runs", "f1", "f1_std", "seg"])
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
        frame = _read(table2, ["dataset", "scale", "f1", "seg", "source"])
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


def contrastive_ours(path: str | Path) -> list[dict[str, Any]]:
    """``contrastive_table2.csv``: CSL statistics over runs, the threshold and CNN baselines."""
    frame = _read(path, ["dataset", "method", "statistic", "runs", "dice"])
    rows = []
    for r in frame.to_dict("records"):
        method = CONTRASTIVE_ROWS.get(r["method"], r["method"])
        sd = None
        if method == "Ours" and r["statistic"] == "mean":
            sd = _statistic(frame, "dataset", r["dataset"], r["method"], "sd")
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
    frame = _read(path, ["name", "n_seeds", "dataset", *subsets])
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
        frame = _read(path, ["dataset", "seed", "source", "method"])
        frame = frame[frame["source"] == "cellbench"]
        for (dataset, method), group in frame.groupby(["dataset", "method"], sort=True):
            for metric in INFOGAN_METRICS:
                if metric not in group or (group[metric] == "").all():
                    continue
                values = group[metric].replace("", np.nan).astype(float)
                rows.append(
                    _ours(
                        table=f"infogan Table {_roman(number)}",
                        row=method,
                        metric=metric,
                        dataset=dataset,
                        method="infogan",
                        value=values.mean(),
                        sd=values.std(ddof=1) if len(values) > 1 else None,
                        n_seeds=len(values),
                    )
                )
    return rows


def group_ours(summaries: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Per-group F1/SEG of the cellulus Table 1 methods on the :data:`GROUPED` datasets, as
    datasets ``<dataset>-<group>``: Table 1 from the seed runs (cellulus; the pretrained tools'
    single run), mean ± sd over seeds; Table 2, on datasets with a scale sweep, from cellulus'
    scale runs (its seed runs: scale 1)."""
    from cellbench.methods.cellulus.runs import parse_run
    from cellbench.tables.summaries import read_summary

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
                    value=values.mean(),
                    sd=values.std(ddof=1) if len(values) > 1 else None,
                    n_seeds=len(values),
                )
            )
    return rows


def spoco_ours(runs: pd.DataFrame) -> list[dict[str, Any]]:
    """spoco runs (:func:`cellbench.tables.spoco.spoco_rows`): mean ± sd of SBD and |DiC| over
    seeds per (training mode, clustering, foreground), once for each table that lists it."""
    rows = []
    keys = ["dataset", "mode", "clustering", "foreground"]
    for (dataset, mode, clustering, fg), group in runs.groupby(keys, sort=True):
        row = _spoco_row({"mode": mode, "clustering": clustering, "foreground": fg})
        for table, metric in product(("1", "14", "16"), ("sbd", "abs_dic")):
            values = group[metric].astype(float)
            rows.append(
                _ours(
                    table=f"spoco Table {table}",
                    row=row,
                    metric=metric,
                    dataset=dataset,
                    method="spoco",
                    value=values.mean(),
                    sd=values.std(ddof=1) if len(values) > 1 else None,
                    n_seeds=len(values),
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


# ---- the decision ---------------------------------------------------------------------------


def within_spread(
    ours: float, published: float, published_sd: float, tolerance: float
) -> tuple[float, float, str, bool]:
    """(ours - published, spread, its basis, within): the spread is the published sd where the
    paper gives one, else ``tolerance``; within iff |difference| <= spread (1e-9 for rounding)."""
    difference = ours - published
    if math.isnan(published_sd):
        spread, basis = tolerance, "tolerance"
    else:
        spread, basis = published_sd, "paper sd"
    return difference, spread, basis, abs(difference) <= spread + 1e-9


def verdict(within: bool, difference: float) -> str:
    if within:
        return REPRODUCED
    return f"{OUTSIDE} (ours {'higher' if difference > 0 else 'lower'})"


def scorecard(
    claims: pd.DataFrame,
    ours: pd.DataFrame,
    provenance: pd.DataFrame,
    *,
    tolerance: float,
    abs_dic_tolerance: float,
    preset: str,
    known_datasets: Sequence[str],
) -> pd.DataFrame:
    """One row per regenerated claim: ours beside the published number and the verdict."""
    ours = ours.drop_duplicates(KEY, keep="first").set_index(KEY)
    rows = []
    for claim in claims[claims["regenerated"]].to_dict("records"):
        row = {k: claim[k] for k in CLAIM_COLUMNS if k != "regenerated"}
        row.update(ours=np.nan, ours_sd=np.nan, n_seeds=np.nan, difference=np.nan)
        row.update(spread=np.nan, spread_basis="", within=pd.NA, our_dataset="")
        exact = _lookup(ours, claim, claim["dataset"])
        synthetic = _lookup(ours, claim, stand_in(claim["dataset"]))
        hit = exact if exact is not None else synthetic
        if hit is not None:
            row.update(ours=hit["value"], ours_sd=hit["sd"], n_seeds=hit["n_seeds"])
            row.update(our_dataset=hit["dataset"], method=hit["method"])
        if exact is not None:
            tol = abs_dic_tolerance if claim["metric"] == "abs_dic" else tolerance
            difference, spread, basis, within = within_spread(
                exact["value"], claim["published"], claim["published_sd"], tol
            )
            row.update(difference=difference, spread=spread, spread_basis=basis, within=within)
            row["verdict"] = verdict(within, difference)
        elif synthetic is not None:
            row["verdict"] = STAND_IN
        elif split_subset(claim["dataset"] or "")[0] not in known_datasets:
            row["verdict"] = f"{NO_DATASET} ({claim['paper_dataset']})"
        else:
            row["verdict"] = NOT_RUN
        row.update(
            preset=preset,
            **_provenance(provenance, row["method"], split_subset(row["our_dataset"])[0]),
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=CARD_COLUMNS)


def _lookup(ours: pd.DataFrame, claim: Mapping[str, Any], dataset: str | None):
    if not dataset:
        return None
    key = (claim["table"], claim["row"], claim["metric"], dataset)
    if key not in ours.index or math.isnan(ours.loc[key, "value"]):
        return None
    return {**ours.loc[key].to_dict(), "dataset": dataset}


def _provenance(provenance: pd.DataFrame, method: str, dataset: str) -> dict[str, str]:
    """Devices and config hashes recorded by the runs of ``method`` on ``dataset``."""
    if not dataset:
        return {"device": "", "config_hash": ""}
    sel = provenance[(provenance["method"] == method) & (provenance["dataset"] == dataset)]
    return {
        column: "; ".join(sorted({str(v) for v in sel[column].dropna()}))
        for column in ("device", "config_hash")
    }


def not_regenerated(claims: pd.DataFrame) -> list[str]:
    """``table: row`` of every published row cellbench does not regenerate."""
    rows = claims[~claims["regenerated"]]
    return list(dict.fromkeys(f"{t}: {r}" for t, r in zip(rows["table"], rows["row"], strict=True)))


def counts(card: pd.DataFrame) -> dict[str, int]:
    """Claims per verdict kind, in a fixed order."""
    kinds = {
        REPRODUCED: card["verdict"] == REPRODUCED,
        OUTSIDE: card["verdict"].str.startswith(OUTSIDE),
        STAND_IN: card["verdict"] == STAND_IN,
        NOT_RUN: card["verdict"].str.startswith(("not run",)),
    }
    return {kind: int(mask.sum()) for kind, mask in kinds.items()}


def display(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard for reading: one line per claim."""

    def number(value: float, sd: float = float("nan")) -> str:
        if pd.isna(value):
            return "–"
        return f"{value:.3f}" if pd.isna(sd) else f"{value:.3f} ± {sd:.3f}"

    return pd.DataFrame(
        {
            "paper": card["paper"],
            "table": card["table"],
            "row": card["label"],
            "metric": card["metric"].map(lambda m: METRIC_LABELS.get(m, m)),
            "paper dataset": card["paper_dataset"],
            "published": [
                number(v, s) for v, s in zip(card["published"], card["published_sd"], strict=True)
            ],
            "ours": [number(v, s) for v, s in zip(card["ours"], card["ours_sd"], strict=True)],
            "our dataset": card["our_dataset"].replace("", "–"),
            "difference": [number(v) if pd.isna(v) else f"{v:+.3f}" for v in card["difference"]],
            "spread": [
                "–" if pd.isna(s) else f"± {s:.3g} ({b})"
                for s, b in zip(card["spread"], card["spread_basis"], strict=True)
            ],
            "verdict": card["verdict"],
            "device": card["device"].replace("", "–"),
        }
    )


def our_numbers(
    tables: Sequence[str | Path],
    spoco_summaries: Sequence[str | Path],
    group_summaries: Sequence[str | Path] = (),
) -> pd.DataFrame:
    """Every number of ours that answers a claim, from the method tables the run wrote (found by
    file name: cellulus_table{1,2}, contrastive_table2, deepng_table1, infogan_table{1,3,4}), the
    spoco evaluation summaries and the per-group scores of cellulus' and the pretrained tools'
    summaries (:func:`group_ours`)."""
    from cellbench.tables.spoco import spoco_rows

    by_name = {Path(path).stem: path for path in tables}
    rows = cellulus_ours(by_name.get("cellulus_table1"), by_name.get("cellulus_table2"))
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


LEGEND = (
    "published: the paper's number (± its sd where it gives one); ours: the same number "
    "regenerated by this configuration (± sd over seeds where there are several), on 'our "
    "dataset'.",
    "difference: ours - published, only where ours comes from the paper's own dataset; spread: "
    "the paper's sd, else the configured tolerance (benchmark.scorecard); reproduced: "
    "|difference| <= spread.",
    f"{STAND_IN}: ours comes from the synthetic dataset that mimics the paper's (default "
    "configuration); it shows that the pipeline runs, not that the paper's result reproduces.",
    f"{NOT_RUN}: this configuration does not train that variant on that dataset (see "
    "config/paper.yaml).",
)


def write_scorecard(
    published: Sequence[str | Path],
    tables: Sequence[str | Path],
    spoco_summaries: Sequence[str | Path],
    group_summaries: Sequence[str | Path],
    provenance_files: Sequence[str | Path],
    outputs: Sequence[str | Path],
    *,
    tolerance: float,
    abs_dic_tolerance: float,
    preset: str,
) -> pd.DataFrame:
    """Build the scorecard and write it as CSV (full precision) and Markdown/LaTeX."""
    from cellbench.data.sources.catalog import REAL_DATASETS
    from cellbench.tables.write import write_table

    claims = published_claims(published)
    card = scorecard(
        claims,
        our_numbers(tables, spoco_summaries, group_summaries),
        provenance_by_run(provenance_files),
        tolerance=tolerance,
        abs_dic_tolerance=abs_dic_tolerance,
        preset=preset,
        known_datasets=REAL_DATASETS,
    )
    tally = ", ".join(f"{n} {kind}" for kind, n in counts(card).items())
    skipped = not_regenerated(claims)
    write_table(
        card,
        outputs,
        title=f"Reproduction scorecard, configuration '{preset}': {len(card)} published numbers "
        f"({tally})",
        display=display(card),
        legend=[
            *LEGEND,
            f"Not listed: {len(skipped)} published rows that cellbench does not regenerate (other "
            f"authors' methods, variants it does not train: {'; '.join(skipped)}) and spoco's "
            "clustering times (they measure the hardware).",
        ],
    )
    return card
