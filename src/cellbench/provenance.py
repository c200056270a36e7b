"""Provenance recorded beside every result: config hash, seed, code version, packages, machine.

The code version is the git commit (``-dirty`` with uncommitted changes) of the workflow
directory that ran, i.e. the current directory (Snakemake runs jobs in its workdir), not of
the installed package: a copy of the workflow with an edited config records its own state.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import cellbench

PROVENANCE_FILE = "provenance.json"
"""Name of the provenance record inside every prediction (and embedding) folder."""

WORKFLOW_DIR_ENV = "CELLBENCH_WORKFLOW_DIR"
"""Set by the Snakefile to its own directory, so that jobs can record that checkout too."""
TRACKED_PACKAGES = (
    "cellbench",
    "torch",
    "numpy",
    "scipy",
    "pandas",
    "scikit-image",
    "scikit-learn",
    "hdbscan",
    "tifffile",
    "snakemake",
)


def config_hash(config: Any) -> str:
    """SHA-256 (first 16 hex digits) of the canonical JSON form of a config."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _git(directory: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=directory, capture_output=True, text=True, check=True
    ).stdout.strip()


def git_toplevel(directory: str | Path) -> Path | None:
    """Root of the git checkout holding ``directory``; ``None`` outside git."""
    try:
        return Path(_git(Path(directory), "rev-parse", "--show-toplevel")).resolve()
    except (OSError, subprocess.CalledProcessError):
        return None


def git_commit(directory: str | Path | None = None) -> str:
    """Commit of the checkout holding ``directory`` (default: the current directory, i.e.
    the workflow that runs), suffixed ``-dirty`` with uncommitted changes to tracked files
    (an edited config); ``unknown`` outside git."""
    cwd = Path(directory) if directory else Path.cwd()
    try:
        commit = _git(cwd, "rev-parse", "HEAD")
        dirty = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def package_dir() -> Path:
    """Folder of the cellbench package that runs (a checkout or site-packages)."""
    return Path(cellbench.__file__).resolve().parent


def code_versions() -> dict[str, str]:
    """Commit of the workflow that runs, and of each other checkout involved.

    ``git_commit`` is the state of the working directory (Snakemake's workdir, with the
    config). The Snakefile's directory (:data:`WORKFLOW_DIR_ENV`, set by the Snakefile) and
    the cellbench package are added, with their own commits, when they live elsewhere.
    """
    workdir = Path.cwd()
    record = {"workflow_dir": str(workdir), "git_commit": git_commit(workdir)}
    seen = {git_toplevel(workdir)} - {None}
    snakefile_dir = os.environ.get(WORKFLOW_DIR_ENV)
    if snakefile_dir:
        top = git_toplevel(snakefile_dir)
        if top is None or top not in seen:
            record["snakefile_dir"] = snakefile_dir
            record["snakefile_commit"] = git_commit(snakefile_dir)
            seen |= {top} - {None}
    top = git_toplevel(package_dir())
    if top is None or top not in seen:
        record["package_dir"] = str(package_dir())
        record["package_commit"] = git_commit(package_dir())
    return record


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def cpu_description(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """CPU model and its widest x86 vector extension (``/proc/cpuinfo``; elsewhere what
    :mod:`platform` knows). torch's CPU kernels ran ~1.4x slower on an AVX2-only CPU than on
    an AVX-512 one (docs/deviations.md, "Benchmark matrix"): a time is read with its CPU."""
    try:  # the first processor's block: every core repeats the same model and flags
        lines = cpuinfo.read_text().split("\n\n", 1)[0].splitlines()
    except OSError:  # no /proc (macOS, Windows) or not readable
        lines = []
    fields = {
        key.strip(): value.strip()
        for key, value in (line.split(":", 1) for line in lines if ":" in line)
    }
    model = fields.get("model name") or platform.processor() or platform.machine()
    if "flags" not in fields:
        return model
    flags = set(fields["flags"].split())
    vector = next((name for name in ("avx512f", "avx2", "avx") if name in flags), "no AVX flag")
    return f"{model}, {vector}"


def device_description(device: str | None = None) -> str:
    """Human-readable compute device: the GPU model on CUDA, else the CPU with torch's threads.

    A CPU job that has not loaded torch (evaluation, the classical baseline, clustering) is
    described without importing it (~2 s per job), and without a thread count: it ran no torch
    code. ``device=None`` (CUDA when available) needs torch.
    """
    torch = sys.modules.get("torch")
    if torch is None and (device is None or str(device).startswith("cuda")):
        import torch
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and torch.cuda.is_available():
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    cpu = cpu_description()
    return f"cpu ({cpu}, {torch.get_num_threads()} threads)" if torch else f"cpu ({cpu})"


def provenance(
    *, config_digest: str | None = None, seed: int | None = None, device: str | None = None
) -> dict[str, Any]:
    """Everything needed to trace a result back to how and where it was produced."""
    return {
        "config_hash": config_digest,
        "seed": seed,
        **code_versions(),
        "packages": package_versions(),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "device": device_description(device),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
