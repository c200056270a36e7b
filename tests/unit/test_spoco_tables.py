"""spoco Tables 1/14/16 and the fraction figure from evaluation summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cellbench.plots.spoco import fraction_figure
from cellbench.tables.spoco import tables

REPO = Path(__file__).resolve().parents[2]


def _summary(path: Path, method: str, run: str, sbd: float, dic: float) -> str:
    path.mkdir(parents=True)
    data = {"method": method, "dataset": "d", "run": run, "metrics": {"sbd": sbd, "abs_dic": dic}}
    (path / "summary.json").write_text(json.dumps(data))
    return str(path / "summary.json")


def test_tables_and_figure(tmp_path: Path) -> None:
    runs = {"full_s0-hdbscan-nonefg": (0.8, 2.0), "full_s1-hdbscan-nonefg": (0.6, 4.0)}
    runs["sparse0.1_s0-mws-nonefg"] = (0.5, 3.0)
    summaries = [_summary(tmp_path / r, "spoco", r, *v) for r, v in runs.items()]
    pred = tmp_path / "pred" / "d" / "sparse0.1_s0-mws-nonefg"
    pred.mkdir(parents=True)
    (pred / "timings.json").write_text(json.dumps({"seconds": {"a": 1.0, "b": 3.0}}))
    base = [_summary(tmp_path / "otsu", "otsu_watershed", "default", 0.1, 30.0)]
    out = {k: str(tmp_path / f"{k}.csv") for k in ("table1", "table14", "table16")}
    out["md"] = str(tmp_path / "t.md")
    tables(summaries, [str(pred)], base, REPO / "config/paper_results/spoco_tables.csv", out)
    t1 = pd.read_csv(out["table1"]).set_index("method")
    assert t1.loc["SPOCO (w/o FG)", "SBD (ours)"] == "0.700 ± 0.141"
    assert t1.loc["SPOCO (w/o FG)", "SBD (paper)"] == "0.886"
    assert t1.loc["otsu_watershed (cellbench baseline)", "SBD (ours)"] == "0.100"
    t14 = pd.read_csv(out["table14"]).set_index("method")
    assert t14.loc["SPOCO@0.1 affinity-based", "t [s] (ours)"] == "2.00"
    assert float(t14.loc["SPOCO@0.1 affinity-based", "t [s] (paper)"]) == 0.45
    fraction_figure(out["table1"], tmp_path / "f.png", tmp_path / "f.pdf")
    assert (tmp_path / "f.png").stat().st_size > 0
