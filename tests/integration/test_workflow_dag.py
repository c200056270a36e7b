"""The DAG builds for both configurations and bad configs fail before any job runs."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workflow

SNAKEMAKE = shutil.which("snakemake")
pytestmark = pytest.mark.skipif(SNAKEMAKE is None, reason="snakemake not installed")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the workflow: the user's results/ never change what plans."""
    return copy_workflow(tmp_path_factory.mktemp("wf") / "cellbench")


@pytest.fixture
def dry_run(workdir: Path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [SNAKEMAKE, "-n", "--cores", "1", *args],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--configfile", "config/paper.yaml"],
        ["--configfile", "config/cpu-real.yaml"],
        ["--configfile", "config/ci-slurm.yaml"],
        ["--configfile", "config/papers-only.yaml"],
    ],
    ids=["default", "paper", "cpu-real", "ci-slurm", "papers-only"],
)
def test_dry_run_builds_dag(dry_run, extra: list[str]) -> None:
    result = dry_run(*extra)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "evaluate" in result.stdout
    assert "pretrained_predict" not in result.stdout  # optional baselines are off by default
    # the optional DNN rows (they download ImageNet weights) only in the paper configuration
    assert ("infogan_dnn" in result.stdout) == ("config/paper.yaml" in extra)
    if not extra:  # .ci/expected-outputs.txt lists exactly the final outputs of the DAG
        final = re.search(r"rule all:\n    input: (.*)\n", result.stdout)
        assert final is not None, result.stdout[-2000:]
        listed = (REPO / ".ci" / "expected-outputs.txt").read_text().splitlines()
        expected = {line for line in listed if line and not line.startswith("#")}
        assert set(final.group(1).split(", ")) == expected


def test_pretrained_baselines_are_optional_rules(dry_run) -> None:
    """When listed, one prediction per tool and cellulus dataset feeds Table 1 (off by default:
    see test_dry_run_builds_dag)."""
    enabled = dry_run("--config", 'methods={"cellulus": {"pretrained": {"tools": ["cellpose"]}}}')
    assert enabled.returncode == 0, enabled.stdout[-2000:] + enabled.stderr[-2000:]
    assert "results/predictions/cellpose/synth-ctc/pretrained" in enabled.stdout
    assert "results/predictions/stardist/" not in enabled.stdout


def test_infogan_dnn_baseline_is_an_optional_rule(dry_run, tmp_path: Path) -> None:
    """When enabled, ResNet-50 features per dataset and one DNN evaluation per seed feed Tables
    I and III (off by default: see test_dry_run_builds_dag); a local .pth is an input file."""
    on = tmp_path / "dnn.yaml"
    on.write_text("methods:\n  infogan:\n    dnn:\n      enabled: true\n")
    enabled = dry_run("--configfile", "config/config.yaml", str(on))
    assert enabled.returncode == 0, enabled.stdout[-2000:] + enabled.stderr[-2000:]
    assert "results/models/infogan/synth-marrow/dnn/features.npz" in enabled.stdout
    assert "results/evaluation/infogan/synth-marrow/seed0/dnn.json" in enabled.stdout
    on.write_text("methods:\n  infogan:\n    dnn:\n      enabled: true\n      weights: no.pth\n")
    missing = dry_run("--configfile", "config/config.yaml", str(on))
    assert missing.returncode != 0 and "no.pth" in missing.stdout + missing.stderr


def test_unknown_config_key_is_named_before_any_job(dry_run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("methods:\n  otsu_watershed:\n    datasets: [synth-dsb]\n    min_distanse: 3\n")
    result = dry_run("--configfile", str(bad))
    assert result.returncode != 0
    assert "methods.otsu_watershed" in result.stderr + result.stdout
    assert "min_distanse" in result.stderr + result.stdout


def test_out_of_range_value_is_named(dry_run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: -1\n")
    result = dry_run("--configfile", str(bad))
    assert result.returncode != 0
    assert "config key 'seed'" in result.stderr + result.stdout


def test_a_copied_method_plugs_in_by_convention(tmp_path: Path) -> None:
    """Issue 13 acceptance: a package + rule file + config block is all a method needs."""
    import os

    work = copy_workflow(tmp_path / "cellbench")
    methods = work / "src" / "cellbench" / "methods"
    shutil.copytree(
        methods / "otsu_watershed", methods / "myseg", ignore=shutil.ignore_patterns("__pycache__")
    )
    rules = work / "workflow" / "rules"
    shutil.copy(rules / "otsu_watershed.smk", rules / "myseg.smk")
    for path in [*(methods / "myseg").glob("*.py"), rules / "myseg.smk"]:
        text = path.read_text().replace("otsu_watershed", "myseg")
        path.write_text(text.replace("OtsuWatershed", "Myseg").replace("OTSU_WATERSHED", "MYSEG"))
    with open(work / "config" / "config.yaml", "a") as config:
        config.write("  myseg:\n    datasets: [synth-dsb]\n")
    env = {**os.environ, "PYTHONPATH": str(work / "src")}

    def dry(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [SNAKEMAKE, "-n", "--cores", "1", *args],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )

    result = dry("-p", "results/tables/overview.csv")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "rule myseg_fit:" in result.stdout and "rule myseg_predict:" in result.stdout
    assert "results/evaluation/myseg/synth-dsb/default/summary.json" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("methods:\n  myseg:\n    datasets: [synth-dsb]\n    smoothing_sigmaa: 2\n")
    result = dry("--configfile", str(bad))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "methods.myseg" in output and "smoothing_sigmaa" in output


def test_a_method_is_turned_off(dry_run) -> None:
    result = dry_run("--config", 'methods={"deepng": {"datasets": []}}')
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    # No deepng job (the scorecard still reads deepng's published numbers: config/paper_results).
    assert "rule deepng_" not in result.stdout and "rule cellulus_train:" in result.stdout
    assert "results/tables/deepng_" not in result.stdout


def test_benchmark_only_datasets_are_scored_but_in_no_paper_table(dry_run) -> None:
    result = dry_run()
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    # every method × synthetic domain of the matrix is scored (contrastive: not on synth-tissuenet)
    for method, run, datasets in [
        ("cellulus", "seed0", ["synth-dsb", "synth-histo", "synth-leaves", "synth-marrow"]),
        ("contrastive", "seed0", ["synth-ctc", "synth-dsb", "synth-leaves", "synth-marrow"]),
        (
            "spoco",
            "full_s0-mws-nonefg",
            ["synth-ctc", "synth-dsb", "synth-histo", "synth-marrow", "synth-tissuenet"],
        ),
    ]:
        for dataset in datasets:
            assert f"results/evaluation/{method}/{dataset}/{run}/summary.json" in out
    # their overrides: one run each, no baselines, no figures of the paper
    assert "results/models/contrastive/synth-ctc/seed1/" not in out
    assert "results/models/contrastive/synth-ctc/cnn-seed0/" not in out
    assert "results/models/spoco/synth-ctc/sparse0.4_s0/" not in out
    assert "results/predictions/spoco/synth-ctc/full_s0-hdbscan-nonefg" not in out
    assert "cellulus_embeddings_synth-dsb" not in out and "spoco_embeddings_synth-ctc" not in out
    # the scorecard neither reads nor waits for them
    scorecard = re.search(r"rule scorecard:\n    input: (.*)\n", out)
    assert scorecard is not None, out[-2000:]
    assert "results/evaluation/spoco/synth-leaves/" in scorecard.group(1)
    assert "results/evaluation/spoco/synth-ctc/" not in scorecard.group(1)
    assert "results/evaluation/cellulus/synth-dsb/" not in scorecard.group(1)
    # the papers-only preset drops them and keeps the papers' runs
    papers_only = dry_run("--configfile", "config/papers-only.yaml").stdout
    assert "results/evaluation/spoco/synth-ctc/" not in papers_only
    assert "results/evaluation/cellulus/synth-dsb/" not in papers_only
    assert "results/evaluation/contrastive/synth-ctc/" not in papers_only
    assert "results/evaluation/spoco/synth-leaves/" in papers_only


def test_duplicate_yaml_key_is_named_before_any_job(dry_run, tmp_path: Path) -> None:
    bad = tmp_path / "dup.yaml"
    bad.write_text("seed: 1\nseed: 2\n")
    result = dry_run("--configfile", str(bad))
    assert result.returncode != 0
    assert "dup.yaml:2: duplicate key 'seed'" in result.stderr + result.stdout


def test_commands_without_cores_build_the_workflow(workdir: Path) -> None:
    """`--unlock` (README: after a killed run) needs no --cores, though rules take all cores."""
    result = subprocess.run(
        [SNAKEMAKE, "--unlock"], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Unlocked working directory" in result.stdout + result.stderr
