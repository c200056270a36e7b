"""Helpers for the thin rule scripts in ``scripts/`` and the environment of their jobs."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cellbench.provenance import config_hash

# glibc malloc settings for the jobs (the Snakefile sets them unless the user has): blocks up to
# 32 MiB, glibc's largest mmap threshold, come from the heap, and up to 1 GiB of freed heap is kept.
# By default every large tensor is mapped and unmapped again in each batch, and the page faults
# cost ~15% of a CPU training job (benchmarks/bench_malloc.py); the results are the same.
MALLOC_TUNING = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**30)}
# Set by the Snakefile for its jobs: see export_config_digest and config_digest.
CONFIG_DIGEST_VARIABLE = "CELLBENCH_CONFIG_DIGEST"


@contextmanager
def script_logging(log_path: str | Path | None) -> Iterator[logging.Logger]:
    """Send logging (and uncaught errors) of a rule script to its Snakemake log file.

    Usage in a script: ``with script_logging(snakemake.log[0]) as log: ...``
    Errors are logged with their traceback and re-raised so that the job fails.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logger = logging.getLogger("cellbench")
    try:
        yield logger
    except Exception:
        logger.exception("job failed")
        raise


def set_threads(threads: int) -> None:
    """Let torch use the threads Snakemake gave the job (its rule's ``threads:``)."""
    import torch

    torch.set_num_threads(max(1, int(threads)))


def resolved_config_digest(config: dict[str, Any]) -> str:
    """Hash of the full resolved config (every method's defaults filled in)."""
    from cellbench.config import resolved_config

    return config_hash(resolved_config(config))


def export_config_digest(config: dict[str, Any]) -> None:
    """Hand the digest of ``config`` to the jobs of this Snakemake process (the Snakefile calls
    it once): ``CELLBENCH_CONFIG_DIGEST`` = the hash of the config as given, a colon, its
    :func:`resolved_config_digest`."""
    os.environ[CONFIG_DIGEST_VARIABLE] = f"{config_hash(config)}:{resolved_config_digest(config)}"


def config_digest(config: dict[str, Any]) -> str:
    """Hash of the full resolved config (method defaults filled in), recorded in provenance.

    Scripts read it from ``snakemake.config``; it is never a rule param, so that editing one
    key reruns only the jobs that read that key. Resolving imports and validates every method's
    config, about 1 s of a job's CPU, so a job takes the digest its Snakemake process exported
    (:func:`export_config_digest`) when its own config hashes to the exported one, and resolves
    it itself otherwise.
    """
    given, _, digest = os.environ.get(CONFIG_DIGEST_VARIABLE, "").partition(":")
    if digest and given == config_hash(config):
        return digest
    return resolved_config_digest(config)
