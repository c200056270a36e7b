"""Table I and Figs. 6–8 of deepng built from evaluation files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cellbench.plots.deepng import entropy_figure, map_figure
from cellbench.tables.deepng import deepng_table1, parse_run

REPO = Path(__file__).resolve().parents[2]


def fake_evaluation(root: Path, method: str, run: str, known: float, unknown: float) -> Path:
    out = root / "evaluation" / method / "synth-dsb" / run
    out.mkdir(parents=True)
    rows = [("a", "CT1", known), ("b", "CT1", known), ("c", "CT2", unknown), ("d", "CT5", unknown)]
    pd.DataFrame(rows, columns=["image_id", "group", "dsb_ap"]).to_csv(out / "per_image.csv")
    summary = {"method": method, "dataset": "synth-dsb", "run": run, "provenance": {"seed": 0}}
    (out / "summary.json").write_text(json.dumps(summary))
    return out / "summary.json"


def test_table1_and_figures(tmp_path: Path):
    summaries = [
        fake_evaluation(tmp_path, "deepng", "baseline-seed0", 0.5, 0.2),
        fake_evaluation(tmp_path, "deepng", "kmc-k5-seed0", 0.4, 0.3),
        fake_evaluation(tmp_path, "deepng", "kmc-k5-seed1", 0.6, 0.1),
        fake_evaluation(tmp_path, "deepng", "gng-k5-seed0", 0.5, 0.5),
    ]
    otsu = fake_evaluation(tmp_path, "otsu_watershed", "default", 0.3, 0.1)
    entropies = []
    for run, n, h in (
        ("kmc-k5-seed0", 5, 0.9),
        ("kmc-k5-seed1", 5, 0.7),
        ("gng-k5-seed0", 40, 0.8),
    ):
        path = tmp_path / f"{run}.json"
        path.write_text(json.dumps({"n_clusters": n, "normalized_entropy": h}))
        entropies.append(path)
    outputs = [tmp_path / f"t.{ext}" for ext in ("csv", "md", "tex")]
    table = deepng_table1(
        summaries,
        entropies,
        otsu,
        REPO / "config/paper_results/deepng_table1.csv",
        outputs,
        tmp_path / "runs.csv",
    )
    kmc = table[(table["algorithm"] == "kmc") & (table["k"] == 5)].iloc[0]
    assert kmc["known_mean"] == pytest.approx(0.5) and kmc["known_std"] == pytest.approx(
        0.1414, abs=1e-3
    )
    assert kmc["all_mean"] == pytest.approx(0.35) and kmc["n_seeds"] == 2
    assert kmc["paper_known"] == pytest.approx(0.40) and kmc["paper_known_std"] == pytest.approx(
        0.03
    )
    assert list(table["name"][:2]) == ["otsu_watershed", "baseline"]
    assert table.iloc[1]["paper_known"] == pytest.approx(0.41)
    assert "0.50 ± 0.14" in outputs[1].read_text()
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(runs) == 4 and runs.loc[runs["run"] == "gng-k5-seed0", "n_clusters"].item() == 40
    for subset in ("known", "unknown"):
        map_figure(
            tmp_path / "runs.csv", subset, tmp_path / f"{subset}.png", tmp_path / f"{subset}.pdf"
        )
    entropy_figure(tmp_path / "runs.csv", tmp_path / "e.png", tmp_path / "e.pdf")
    assert all((tmp_path / f).stat().st_size > 0 for f in ("known.png", "unknown.pdf", "e.png"))


def test_parse_run():
    assert parse_run("ng-k50-seed3") == {"algorithm": "ng", "k": 50, "seed": 3}
    assert parse_run("baseline-seed0")["algorithm"] == "baseline"
    with pytest.raises(ValueError):
        parse_run("foo")
