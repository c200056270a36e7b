"""cellulus Tables 1 and 2 from evaluation summaries, published numbers from config (data)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cellbench.tables.cellulus import table1, table2

REPO = Path(__file__).resolve().parents[2]


def _summary(path: Path, method: str, dataset: str, run: str, f1: float, seg: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "method": method,
        "dataset": dataset,
        "run": run,
        "metrics": {"f1": f1, "seg": seg},
        "groups": {},
        "provenance": {
            "config_hash": "abc",
            "seed": 0,
            "git_commit": "x",
            "host": "h",
            "device": "cpu",
        },
    }
    path.write_text(json.dumps(summary))
    return path


def test_table1(tmp_path: Path) -> None:
    cellulus = [
        _summary(
            tmp_path / f"c{seed}.json", "cellulus", "ctc-sim", f"seed{seed}", 0.8 + seed / 100, 0.6
        )
        for seed in (0, 1)
    ]
    baseline = [_summary(tmp_path / "b.json", "otsu_watershed", "ctc-sim", "default", 0.5, 0.4)]
    published = REPO / "config/paper_results/cellulus_table1.csv"
    outputs = [tmp_path / f"t1.{ext}" for ext in ("csv", "md", "tex")]
    data = table1(cellulus, baseline, [], published, outputs)
    ours = data[(data["source"] == "ours") & (data["method"] == "cellulus")].iloc[0]
    assert ours["runs"] == 2 and abs(ours["f1"] - 0.805) < 1e-9
    paper = data[(data["source"] == "paper") & (data["method"] == "cellulus")].iloc[0]
    assert (paper["f1"], paper["seg"]) == (0.83, 0.65)
    markdown = outputs[1].read_text()
    assert "0.805 ± 0.007" in markdown and "otsu_watershed SEG" in markdown
    assert "| stardist F1" not in markdown
    assert len(pd.read_csv(outputs[0])) == 5  # 2 ours + 3 published methods
    pretrained = [
        _summary(tmp_path / f"{tool}.json", tool, "ctc-sim", "pretrained", 0.3, 0.2)
        for tool in ("stardist", "cellpose")
    ]
    data = table1(cellulus, baseline, pretrained, published, outputs)
    measured = data[(data["source"] == "ours") & (data["method"] == "cellpose")].iloc[0]
    assert (measured["f1"], measured["run_names"]) == (0.3, "pretrained")
    markdown = outputs[1].read_text()
    assert "stardist F1" in markdown and "paper cellpose SEG" in markdown


def test_table2(tmp_path: Path) -> None:
    runs = [
        _summary(
            tmp_path / f"s{s}.json",
            "cellulus",
            "tissuenet-immune",
            f"scale{s:g}-seed0",
            s / 2,
            s / 3,
        )
        for s in (0.5, 1.0)
    ]
    outputs = [tmp_path / f"t2.{ext}" for ext in ("csv", "md", "tex")]
    data = table2(runs, REPO / "config/paper_results/cellulus_table2.csv", outputs)
    assert set(data["source"]) == {"ours", "paper"}
    assert len(data[data["source"] == "paper"]) == 11
    assert "| tissuenet-immune | ours | F1 |" in outputs[1].read_text()
