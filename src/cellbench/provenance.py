"""Provenance recorded beside every result: config hash, seed, code version, packages, machine."""

from __future__ import annotations

import hashlib
import json
import platform
import socket
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import cellbench

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


def git_commit(directory: str | Path | None = None) -> str:
    """Commit of the code, suffixed ``-dirty`` with uncommitted changes; ``unknown`` outside git."""
    cwd = Path(directory) if directory else Path(cellbench.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def device_description(device: str | None = None) -> str:
    """Human-readable compute device: the GPU model on CUDA, else the CPU."""
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and torch.cuda.is_available():
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


def provenance(
    *, config_digest: str | None = None, seed: int | None = None, device: str | None = None
) -> dict[str, Any]:
    """Everything needed to trace a result back to how and where it was produced."""
    return {
        "config_hash": config_digest,
        "seed": seed,
        "git_commit": git_commit(),
        "packages": package_versions(),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "device": device_description(device),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
