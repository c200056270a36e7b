"""Provenance names the workflow directory that ran, not the installed package (issue 18 item 9),
and the CPU a job ran on."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import pytest

from cellbench.provenance import cpu_description, git_commit, provenance


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_provenance_records_the_workflow_checkout(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CELLBENCH_WORKFLOW_DIR", raising=False)
    workflow = tmp_path / "copy"
    (workflow / "config").mkdir(parents=True)
    (workflow / "config" / "config.yaml").write_text("seed: 0\n")
    _git(workflow, "init", "-q")
    _git(workflow, "add", ".")
    _git(workflow, "commit", "-qm", "c")
    head = _git(workflow, "rev-parse", "HEAD")
    monkeypatch.chdir(workflow)
    record = provenance()
    assert record["git_commit"] == head
    assert record["workflow_dir"] == str(workflow.resolve())
    assert record["package_commit"] not in (head, f"{head}-dirty")  # the package's own checkout
    (workflow / "config" / "config.yaml").write_text("seed: 1\n")  # an edited config
    assert provenance()["git_commit"] == f"{head}-dirty"
    assert git_commit(workflow) == f"{head}-dirty"


def test_provenance_outside_git(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CELLBENCH_WORKFLOW_DIR", raising=False)
    if subprocess.run(["git", "rev-parse"], cwd=tmp_path, capture_output=True).returncode == 0:
        pytest.skip("the temporary folder is inside a git checkout")
    monkeypatch.chdir(tmp_path)
    record = provenance()
    assert record["git_commit"] == "unknown" and "package_commit" in record


def test_provenance_names_the_snakefile_checkout(tmp_path: Path, monkeypatch) -> None:
    snakefile_repo = tmp_path / "workflow"
    snakefile_repo.mkdir()
    (snakefile_repo / "Snakefile").write_text("rule all:\n")
    _git(snakefile_repo, "init", "-q")
    _git(snakefile_repo, "add", ".")
    _git(snakefile_repo, "commit", "-qm", "c")
    workdir = tmp_path / "run"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("CELLBENCH_WORKFLOW_DIR", str(snakefile_repo))
    record = provenance()
    assert record["snakefile_dir"] == str(snakefile_repo)
    assert record["snakefile_commit"] == _git(snakefile_repo, "rev-parse", "HEAD")


def test_cpu_description_names_model_and_widest_vector_extension(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma\n\n"
        "processor\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma\n"
    )
    assert cpu_description(cpuinfo) == "AMD EPYC, avx2"
    cpuinfo.write_text("model name\t: Xeon\nflags\t: avx avx2 avx512f avx512bw\n")
    assert cpu_description(cpuinfo) == "Xeon, avx512f"
    cpuinfo.write_text("model name\t: Xeon\nflags\t: fpu sse2\n")
    assert cpu_description(cpuinfo) == "Xeon, no AVX flag"


def test_cpu_description_without_cpuinfo_falls_back_to_platform(tmp_path: Path) -> None:
    expected = platform.processor() or platform.machine()
    assert cpu_description(tmp_path / "absent") == expected
