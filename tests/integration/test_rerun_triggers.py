"""A config edit reruns only the jobs that read the edited key (issue 13, item 4).

One tiny run of the whole workflow is completed in a copy of the repository; dry runs with one
key changed then must not plan the training of any method that does not read that key.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_workflow

SNAKEMAKE = shutil.which("snakemake")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SNAKEMAKE is None, reason="snakemake not installed"),
]

TINY = {
    "synthetic": {"size": "tiny"},
    "methods": {
        "otsu_watershed": {"datasets": ["synth-dsb", "synth-ctc"]},
        "deepng": {
            "datasets": ["synth-dsb"],
            "algorithms": ["kmc"],
            "k": [2],
            "gng_start": [2],
            "seeds": [0],
            "scale": 0.5,
            "segmentation": {"epochs": 1, "steps_per_epoch": 1, "batch_size": 2, "crop": 64},
            "features": {"draws": 8, "size": 64, "pca_dim": 4},
            "clustering": {"epochs": 2},
            "retraining": {"epochs": 1, "steps_per_epoch": 1, "batch_size": 2, "crop": 32},
        },
        "cellulus": {
            "datasets": ["synth-ctc"],
            "seeds": [0],
            "num_fmaps": 4,
            "crop_size": 60,
            "batch_size": 2,
            "epochs": 1,
            "iterations_per_epoch": 2,
            "lr_milestones": [],
            "num_passes": 2,
            "bandwidths": [6, 8],
            "shrinks": [0],
            "select_max_images": 1,
            "scale_sweep": {"datasets": []},
            "fig5": {"dataset": ""},
        },
        # Off: their default sizes need the default synthetic images (e.g. 128² crops).
        "contrastive": {"enabled": False},
        "infogan": {"enabled": False},
        "spoco": {"enabled": False},
    },
}


def planned_jobs(workdir: Path, override: dict) -> dict[str, int]:
    """Job counts of a dry run with ``override`` merged over the tiny config."""
    extra = workdir / "override.yaml"
    extra.write_text(yaml.safe_dump(override))
    result = subprocess.run(
        [SNAKEMAKE, "-n", "--cores", "2", "--configfile", "tiny.yaml", str(extra)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    stats = result.stdout.split("Job stats:", 1)
    if len(stats) == 1:
        assert "Nothing to be done" in result.stdout
        return {}
    rows = re.findall(r"^(\w+)\s+(\d+)$", stats[1], flags=re.M)
    return {rule: int(count) for rule, count in rows if rule != "total"}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = copy_workflow(tmp_path_factory.mktemp("rerun") / "cellbench")
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    run = subprocess.run(
        [SNAKEMAKE, "--cores", "2", "--configfile", "tiny.yaml"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert planned_jobs(workdir, {}) == {}
    return workdir


def test_inference_key_of_cellulus_reruns_only_its_selection_and_downstream(finished_run):
    jobs = planned_jobs(finished_run, {"methods": {"cellulus": {"bandwidths": [6, 10]}}})
    assert jobs.get("cellulus_select") == 1
    assert "cellulus_train" not in jobs
    assert not [rule for rule in jobs if rule.startswith(("deepng", "otsu_watershed"))], jobs
    jobs = planned_jobs(finished_run, {"methods": {"cellulus": {"num_passes": 4}}})
    assert jobs.get("cellulus_select") == 1 and "cellulus_train" not in jobs


def test_retraining_key_of_deepng_keeps_the_segmentation_network(finished_run):
    jobs = planned_jobs(finished_run, {"methods": {"deepng": {"retraining": {"epochs": 2}}}})
    assert jobs.get("deepng_retrain") == 1
    assert "deepng_train_segmentation" not in jobs and "deepng_features" not in jobs
    assert not [rule for rule in jobs if rule.startswith(("cellulus", "otsu_watershed"))], jobs


def test_override_of_one_dataset_reruns_only_that_datasets_jobs(finished_run):
    override = {"cellulus": {"overrides": {"synth-ctc": {"bandwidths": [6, 10]}}}}
    jobs = planned_jobs(finished_run, {"methods": override})
    assert jobs.get("cellulus_select") == 1 and "cellulus_train" not in jobs
    assert not [rule for rule in jobs if rule.startswith(("deepng", "otsu_watershed"))], jobs
    # an override equal to the dataset's own value changes no job
    same = {"cellulus": {"overrides": {"synth-ctc": {"bandwidths": [6, 8]}}}}
    assert planned_jobs(finished_run, {"methods": same}) == {}


def test_training_key_retrains(finished_run):
    """The test above is not vacuous: a key the training reads does retrain."""
    jobs = planned_jobs(finished_run, {"methods": {"cellulus": {"tau": 5.0}}})
    assert jobs.get("cellulus_train") == 1
