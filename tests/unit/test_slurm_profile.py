"""The SLURM profile (slurm/) and the workflow profile (profiles/default/): settings Snakemake would
silently accept but that break on a cluster (unknown rule names, resource typos, GPU routing)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "slurm" / "config.yaml"
RULE_FILES = sorted((ROOT / "workflow" / "rules").glob("*.smk"))

# Resource names the SLURM plugin (or Snakemake) understands; anything else is a typo.
KNOWN_RESOURCES = {
    "gpu", "gpu_model", "gres", "mem_mb", "mem_mb_per_cpu", "mem", "runtime", "disk_mb",
    "tmpdir", "cpus_per_task", "cpus_per_gpu", "tasks", "nodes", "constraint", "qos",
    "slurm_partition", "slurm_account", "slurm_extra",
}  # fmt: skip
# Rules that only read results never need a GPU (by name), except the listed ones, which train
# networks although they make a figure or table.
CPU_ONLY = re.compile(
    r"(^|_)(evaluate|table\w*|fig\w*|figure\w*|overview\w*|report|synth\w*|prepare\w*|download\w*)$"
)
TRAINS_NETWORKS = {"cellulus_fig5"}  # trains the supported-supervision networks of Fig. 5


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


def rule_resources() -> dict[str, dict[str, str]]:
    """rule name -> {resource: value} declared in workflow/rules/*.smk."""
    rules = {}
    for smk in RULE_FILES:
        blocks = re.split(r"^(?:rule|checkpoint)\s+(\w+)\s*:", smk.read_text(), flags=re.MULTILINE)
        for name, body in zip(blocks[1::2], blocks[2::2], strict=True):
            body = re.split(r"^\S", body, maxsplit=1, flags=re.MULTILINE)[0]
            section = re.search(r"^(\s+)resources:\s*\n((?:\1\s+.*\n?)+)", body, re.MULTILINE)
            entries = (
                re.findall(r"^\s+(\w+)\s*=\s*([^,\n]+)", section.group(2), re.MULTILINE)
                if section
                else []
            )
            rules[name] = dict(entries)
    return rules


def test_profile_core_settings():
    profile = load(PROFILE)
    assert profile["executor"] == "slurm"
    assert profile["rerun-incomplete"] is True
    assert isinstance(profile["jobs"], int) and profile["jobs"] >= 1
    assert isinstance(profile["latency-wait"], int) and profile["latency-wait"] >= 5
    defaults = profile["default-resources"]
    assert {"runtime", "mem_mb"} <= set(defaults)
    # A default partition would override the per-job choice from partitions.yaml (GPU jobs too).
    assert "slurm_partition" not in defaults
    assert profile["slurm-status-command"] in {"squeue", "sacct"}
    assert "slurm_account" in PROFILE.read_text(), "the account comment for users is missing"


def test_profile_resources_are_known_and_set_resources_name_real_rules():
    profile = load(PROFILE)
    rules = rule_resources()
    assert set(KNOWN_RESOURCES) >= set(profile["default-resources"])
    for rule, resources in profile.get("set-resources", {}).items():
        assert rule in rules, f"set-resources names rule {rule!r}, which does not exist"
        unknown = set(resources) - KNOWN_RESOURCES
        assert not unknown, f"set-resources.{rule}: unknown resources {unknown}"
        assert not re.search(r"--(gres|gpus)\b", str(resources.get("slurm_extra", ""))), (
            f"set-resources.{rule}: request GPUs with gpu=1, not in slurm_extra"
        )


def test_rule_resources_are_known_and_gpus_only_where_a_network_runs():
    for rule, resources in rule_resources().items():
        unknown = set(resources) - KNOWN_RESOURCES
        assert not unknown, f"rule {rule}: unknown resources {unknown} (typo?)"
        if "gpu" in resources or "gpu" in resources.get("gres", ""):
            assert rule in TRAINS_NETWORKS or not CPU_ONLY.search(rule), (
                f"rule {rule} reads results but requests a GPU"
            )


def _job(resources: dict, threads: int = 1):
    return SimpleNamespace(
        resources=SimpleNamespace(get=resources.get, **resources), threads=threads, name="job"
    )


def test_partition_config_routes_gpu_jobs_to_gpu_and_cpu_jobs_to_cpu():
    partitions_mod = pytest.importorskip("snakemake_executor_plugin_slurm.partitions")
    profile = load(PROFILE)
    partitions = partitions_mod.read_partition_file(
        PROFILE.parent / profile["slurm-partition-config"]
    )
    logger = SimpleNamespace(info=lambda *a: None, debug=lambda *a: None, warning=lambda *a: None)
    best = partitions_mod.get_best_partition
    assert best(partitions, _job({"mem_mb": 4000, "runtime": 60}), logger) == "cpu"
    assert best(partitions, _job({"mem_mb": 16000, "runtime": 720, "gpu": 1}), logger) == "gpu"
    assert best(partitions, _job({"gres": "gpu:1"}), logger) == "gpu"


def test_workflow_profile_is_found_and_sets_no_cores():
    # Snakemake looks for profiles/default/ next to the Snakefile (repository root here).
    workflow_profile = load(ROOT / "profiles" / "default" / "config.yaml")
    assert (ROOT / "Snakefile").is_file()
    assert workflow_profile["rerun-incomplete"] is True
    # `cores` would cap every SLURM job's threads at the submit host's CPU count.
    assert "cores" not in workflow_profile


@pytest.mark.skipif(shutil.which("snakemake") is None, reason="snakemake not on PATH")
def test_profile_is_accepted_by_snakemake(tmp_path):
    """The profile's keys are valid options (a typo fails here, not on the cluster)."""
    (tmp_path / "Snakefile").write_text(
        "rule a:\n    output: 'a.txt'\n    resources: gpu=1\n    shell: 'touch {output}'\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--profile",
            str(ROOT / "slurm"),
            "-n",
            "--workflow-profile",
            "none",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "gpu=1" in result.stdout + result.stderr
