"""The benchmark matrix, its tables and figures from evaluation summaries on disk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wilcoxon

from cellbench.benchmark.config import BenchmarkConfig
from cellbench.benchmark.matrix import benchmark_rows, load_run, rank_summary, run_variant
from cellbench.benchmark.tables import benchmark_tables
from cellbench.errors import InputError
from cellbench.evaluation import summarise
from cellbench.metrics import metric_parameters
from cellbench.plots.benchmark import cd_figure, heatmap_figure
from tests.unit.test_benchmark_stats import per_image_table

RUNS = {
    ("otsu_watershed", "synth-dsb", "default"): 0,
    ("otsu_watershed", "synth-ctc", "default"): 1,
    ("deepng", "synth-dsb", "baseline-seed0"): 2,
    ("deepng", "synth-dsb", "kmc-k2-seed0"): 3,
    ("deepng", "synth-dsb", "kmc-k2-seed1"): 4,
    ("cellulus", "synth-dsb", "seed0"): 5,
    ("cellulus", "synth-ctc", "seed0"): 6,
}
METHODS = ["otsu_watershed", "deepng", "cellulus"]
DATASETS = ["synth-dsb", "synth-ctc", "synth-histo"]
REASONS = {"deepng": {"synth-ctc": "needs CT1-CT7", "synth-histo": "needs CT1-CT7"}}


def write_run(root: Path, method: str, dataset: str, run: str, seed: int) -> Path:
    """A summary.json and per_image.csv as the evaluation writes them (datasets share image ids)."""
    folder = root / "results" / "evaluation" / method / dataset / run
    folder.mkdir(parents=True)
    table = per_image_table(seed, n=8, partial=())
    table.to_csv(folder / "per_image.csv", index=False)
    summary = {
        "method": method,
        "dataset": dataset,
        "run": run,
        **summarise(table),
        "metric_parameters": metric_parameters(),
        "provenance": {"config_hash": "abc", "git_commit": "c0ffee", "seed": None},
        "prediction_provenance": {"provenance": {"device": "cpu", "host": "h"}},
    }
    (folder / "summary.json").write_text(json.dumps(summary, default=float))
    return folder / "summary.json"


@pytest.fixture
def summaries(tmp_path: Path) -> list[Path]:
    return [write_run(tmp_path, *key, seed) for key, seed in RUNS.items()]


def rows(summaries: list[Path], **cfg: object) -> pd.DataFrame:
    runs = [load_run(path) for path in summaries]
    return benchmark_rows(runs, BenchmarkConfig(**cfg), METHODS, DATASETS, REASONS)


@pytest.mark.parametrize(
    ("run", "variant"),
    [
        ("kmc-k5-seed3", "kmc-k5"),
        ("baseline-seed0", "baseline"),
        ("seed0", "default"),
        ("default", "default"),
        ("pretrained", "pretrained"),
        ("scale0.75-seed1", "scale0.75"),
    ],
)
def test_run_variant(run: str, variant: str) -> None:
    assert run_variant(run) == variant


def test_one_row_per_variant_dataset_metric_with_reasons(summaries: list[Path]) -> None:
    table = rows(summaries, metrics=["f1", "dice"])
    dsb = table[(table["dataset"] == "synth-dsb") & (table["metric"] == "f1")].set_index("label")
    assert sorted(dsb.index) == ["cellulus", "deepng baseline", "deepng kmc-k2", "otsu_watershed"]
    assert dsb.loc["deepng kmc-k2", "n_seeds"] == 2 and dsb.loc["deepng kmc-k2", "seeds"] == "0;1"
    assert dsb.loc["deepng kmc-k2", "runs"] == "kmc-k2-seed0;kmc-k2-seed1"
    assert dsb.loc["cellulus", "n_images"] == 8
    status = table.set_index(["dataset", "label", "metric"])["status"]
    assert status[("synth-ctc", "deepng", "f1")] == "not applicable: needs CT1-CT7"
    assert status[("synth-histo", "otsu_watershed", "f1")] == "not configured"
    assert len(table) == 2 * (4 + 3 + 3)


def test_p_values_are_scipys_on_the_per_image_csvs(summaries: list[Path]) -> None:
    table = rows(summaries, metrics=["dice"])
    row = table.set_index(["dataset", "label"]).loc[("synth-dsb", "cellulus")]
    folder = Path(summaries[0]).parents[3]
    x = pd.read_csv(folder / "cellulus" / "synth-dsb" / "seed0" / "per_image.csv")["dice"]
    y = pd.read_csv(folder / "otsu_watershed" / "synth-dsb" / "default" / "per_image.csv")["dice"]
    assert abs(row["p_vs_baseline"] - wilcoxon(x, y).pvalue) < 1e-12
    ok = table[(table["dataset"] == "synth-dsb") & (table["status"] == "ok")]
    best = ok.loc[ok["value"].idxmax(), "label"]
    assert (ok["best"] == best).all() and ok.loc[ok["label"] == best, "rank"].item() == 1
    assert ok["p_vs_baseline_holm"].dropna().ge(ok["p_vs_baseline"].dropna()).all()


def test_bootstrap_seed_changes_only_the_intervals(summaries: list[Path]) -> None:
    a, b = rows(summaries, bootstrap_seed=0), rows(summaries, bootstrap_seed=1)
    interval = ["ci_low", "ci_high", "bootstrap_seed"]
    pd.testing.assert_frame_equal(a.drop(columns=interval), b.drop(columns=interval))
    assert not np.allclose(a["ci_low"].dropna(), b["ci_low"].dropna())


def test_a_summary_that_disagrees_with_its_csv_is_refused(summaries: list[Path]) -> None:
    summary = json.loads(summaries[0].read_text())
    summary["metrics"]["f1"] += 0.01
    summaries[0].write_text(json.dumps(summary))
    with pytest.raises(InputError, match=r"per_image\.csv gives f1"):
        rows(summaries, metrics=["f1"])


def test_ranks_use_the_complete_block(summaries: list[Path]) -> None:
    ranks = rank_summary(rows(summaries, metrics=["f1"]), alpha=0.05)
    assert set(ranks["label"]) == {"otsu_watershed", "cellulus"}
    assert (ranks["n_datasets"] == 2).all() and ranks["average_rank"].sum() == 3


def test_tables_and_figures_are_written(summaries: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    outputs = {key: out / f"benchmark.{key}" for key in ("csv", "md", "tex")}
    outputs |= {"ranking_csv": out / "r.csv", "ranking_md": out / "r.md", "ranks": out / "k.csv"}
    benchmark_tables(summaries, outputs, BenchmarkConfig(), METHODS, DATASETS, REASONS)
    markdown = outputs["md"].read_text()
    assert "not applicable: needs CT1-CT7" in markdown and "± " in markdown
    assert "p vs otsu_watershed (Holm)" in outputs["ranking_md"].read_text()
    heatmap_figure(outputs["csv"], out / "h.png", out / "h.pdf")
    cd_figure(outputs["ranks"], out / "cd.png", out / "cd.pdf")
    assert all((out / name).stat().st_size > 0 for name in ("h.png", "h.pdf", "cd.png", "cd.pdf"))


def test_every_metric_names_its_definition_and_parameters(
    summaries: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    outputs = {key: out / f"benchmark.{key}" for key in ("csv", "md", "tex")}
    outputs |= {"ranking_csv": out / "r.csv", "ranking_md": out / "r.md", "ranks": out / "k.csv"}
    cfg = BenchmarkConfig(metrics=["f1", "aji", "abs_dic"])
    table = benchmark_tables(summaries, outputs, cfg, METHODS, DATASETS, REASONS)
    parameters = metric_parameters()
    recorded = table["metric_definition"][table["metric_definition"] != ""]
    assert set(recorded.map(lambda d: json.loads(d)["definition"])) == {
        parameters["f1"]["definition"],
        parameters["aji"]["definition"],
        parameters["dic"]["definition"],  # |DiC| is recorded under "dic"
    }
    markdown = outputs["md"].read_text()
    legend = {line.split(": ")[0]: line for line in markdown.splitlines() if line.startswith("- ")}
    assert legend["- F1@0.5"].startswith(f"- F1@0.5: {parameters['f1']['definition']}; ")
    assert "; threshold: 0.5" in legend["- F1@0.5"]
    assert legend["- AJI"].startswith(f"- AJI: {parameters['aji']['definition']}")
    assert legend["- |DiC|"].startswith(f"- |DiC|: {parameters['dic']['definition']}")
    assert "\\|DiC\\|" in outputs["ranking_md"].read_text()
