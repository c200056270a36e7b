"""Published claims: each paper's ``config/paper_results/*.csv`` as one row per number.

A claim is (table, row, metric, dataset) with the published value and, where the paper gives
one, its standard deviation; ``row`` identifies it for matching with ours, ``label`` is the
paper's name for it. Paper dataset names become cellbench dataset names (``monuseg``,
``marrow-a-cells``, ``tissuenet-immune`` for a tissue of TissueNet); rows of other authors' methods
that cellbench does not implement are kept with ``regenerated`` false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cellbench.errors import InputError

KEY = ["table", "row", "metric", "dataset"]
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
INFOGAN_METRICS = ("precision", "recall", "f_score", "purity", "entropy_sizes")
# Paper dataset names that are not cellbench dataset names.
CONTRASTIVE_DATASETS = {"MoNuSeg": "monuseg", "CoNSeP": "consep"}
# Dataset A's claims (Tables I, III) are on its labelled cells: the authors' crops, marrow-a-cells.
INFOGAN_DATASETS = {"A": "marrow-a-cells", "B": "marrow-b", "C": "marrow-c"}
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
PUBLISHED = (
    "deepng_table1",
    "cellulus_table1",
    "cellulus_table2",
    "infogan",
    "contrastive_table1",
    "contrastive_table2",
    "spoco_tables",
)


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


def as_float(value: Any) -> float:
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
        "published": as_float(value),
        "published_sd": as_float(sd),
        "regenerated": regenerated,
    }


def read_table(path: str | Path, columns: Iterable[str]) -> pd.DataFrame:
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a readable CSV ({exc})") from exc
    missing = set(columns) - set(frame.columns)
    if missing:
        raise InputError(path, f"missing columns {sorted(missing)}")
    return frame


def cellulus_claims(table1: str | Path, table2: str | Path) -> list[dict[str, Any]]:
    """Paper 001 Table 1 (F1/SEG of cellulus, StarDist, Cellpose) and Table 2 (scale sweep)."""
    claims = []
    for r in read_table(table1, ["dataset", "paper_dataset", "method", "f1", "seg"]).to_dict(
        "records"
    ):
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
    for r in read_table(table2, ["dataset", "paper_dataset", "scale", "f1", "seg"]).to_dict(
        "records"
    ):
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


def contrastive_table1_claims(path: str | Path) -> list[dict[str, Any]]:
    """Paper 003 Table 1: median validation Dice over three runs per patch count and size."""
    return [
        _claim(
            paper="003",
            method="contrastive",
            table="contrastive Table 1",
            row=f"{r['factor']} {r['value']}",
            metric="validation_dice",
            dataset=CONTRASTIVE_DATASETS.get(r["paper_dataset"]),
            paper_dataset=r["paper_dataset"],
            value=r["dice"],
        )
        for r in read_table(path, ["paper_dataset", "factor", "value", "dice"]).to_dict("records")
    ]


def contrastive_claims(path: str | Path) -> list[dict[str, Any]]:
    """Paper 003 Table 2: test Dice; the mean over runs carries the published sd over runs."""
    frame = read_table(path, ["paper_dataset", "method", "statistic", "dice"])
    claims = []
    for r in frame.to_dict("records"):
        sd = None
        if r["method"] == "Ours" and r["statistic"] == "mean":
            sd = statistic(frame, "paper_dataset", r["paper_dataset"], "Ours", "sd")
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


def statistic(frame: pd.DataFrame, column: str, dataset: str, method: str, stat: str):
    """The Dice of ``method``'s ``stat`` row on ``dataset`` (None if absent)."""
    hit = frame[
        (frame[column] == dataset) & (frame["method"] == method) & (frame["statistic"] == stat)
    ]
    return hit["dice"].iloc[0] if len(hit) else None


def deepng_claims(path: str | Path) -> list[dict[str, Any]]:
    """Paper 000 Table I: DSB 2018 MAP on CT1, CT2-7 and all test images, mean ± sd over seeds."""
    frame = read_table(
        path, ["name", "known", "known_std", "unknown", "unknown_std", "all", "all_std"]
    )
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
    frame = read_table(path, ["table", "paper_dataset", "method", *INFOGAN_METRICS])
    claims = []
    for r in frame.to_dict("records"):
        for metric in INFOGAN_METRICS:
            if r[metric] == "":
                continue
            claims.append(
                _claim(
                    paper="002",
                    method="infogan",
                    table=f"infogan Table {roman(int(r['table']))}",
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
    frame = read_table(path, [*columns, "abs_dic_sd"])
    claims = []
    for r in frame.to_dict("records"):
        for metric in ("sbd", "abs_dic"):
            claims.append(
                _claim(
                    paper="004",
                    method="spoco",
                    table=f"spoco Table {r['table']}",
                    row=spoco_row(r),
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


def spoco_row(record: Mapping[str, Any]) -> str:
    """A spoco row's identity: (training mode, clustering, foreground) where it has one."""
    if not record["mode"]:
        return str(record["row"])
    return f"{record['mode']} {record['clustering']} fg={record['foreground']}"


def roman(number: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(number, str(number))


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
        *contrastive_table1_claims(by_name["contrastive_table1"]),
        *contrastive_claims(by_name["contrastive_table2"]),
        *spoco_claims(by_name["spoco_tables"]),
    ]
    return pd.DataFrame(claims, columns=CLAIM_COLUMNS)


def not_regenerated(claims: pd.DataFrame) -> list[str]:
    """``table: row`` of every published row cellbench does not regenerate."""
    rows = claims[~claims["regenerated"]]
    return list(dict.fromkeys(f"{t}: {r}" for t, r in zip(rows["table"], rows["row"], strict=True)))
