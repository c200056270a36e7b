"""CPU-only jobs (evaluation, the classical baseline, tables, spoco's clustering) record their
device without importing torch, which costs ~2 s of every such job; torch jobs record torch's
threads. Scoring small images does not load the compiled metric kernels either (numba, ~2 s per
process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cellbench.methods.registry import segmenter_device
from cellbench.provenance import device_description
from tests.conftest import REPO

# What the baseline's rules run (fit, predict with the job's threads, evaluate), with the
# Snakefile's config validation and the tables' imports, in a fresh interpreter.
CPU_JOBS = """
import json, sys
from pathlib import Path
import cellbench.tables.spoco, cellbench.benchmark.scorecard.card, cellbench.methods.spoco.labels
import yaml
from cellbench.config import validate_config
from cellbench.evaluation import evaluate
from cellbench.methods.otsu_watershed import fit
from cellbench.methods.predict import predict_dataset
dataset, out = Path(sys.argv[1]), Path(sys.argv[2])
validate_config(yaml.safe_load(Path("config/config.yaml").read_text()), "workflow/schemas")
fit(dataset, out / "model.json")
predict_dataset("otsu_watershed", out / "model.json", dataset, out / "pred", threads=1)
evaluate(dataset, out / "pred", out / "scores.csv", out / "summary.json", method="m", run="r")
assert "torch" not in sys.modules, "torch was imported"
assert "numba" not in sys.modules, "numba was imported for small images"
print(json.loads((out / "pred" / "provenance.json").read_text())["provenance"]["device"])
"""


def test_cpu_jobs_run_and_record_their_device_without_importing_torch(
    blob_dataset: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CPU_JOBS, str(blob_dataset), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("cpu (")
    assert "threads" not in result.stdout


def test_loaded_torch_gives_its_own_thread_count() -> None:
    torch = pytest.importorskip("torch")
    assert device_description("cpu").endswith(f", {torch.get_num_threads()} threads)")


def test_segmenter_device_is_its_attribute_else_the_cpu() -> None:
    class Network:
        device = "cuda:1"

    class Classical:
        pass

    assert segmenter_device(Network()) == "cuda:1"
    assert segmenter_device(Classical()) == "cpu"
