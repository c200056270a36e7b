"""Embedded synthetic dataset suite: six microscopy domains with instance ground truth.

``generate(domain, out, seed, size)`` writes one dataset in the prepared layout
(:mod:`cellbench.data.layout`), bit-identical for the same seed on any machine.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from cellbench.errors import InputError
from cellbench.io import check_output_dir

DOMAINS = ("dsb", "ctc", "tissuenet", "histo", "marrow", "leaves")
SIZES = ("tiny", "default")


def parameters(domain: str, size: str = "default", **overrides: Any) -> dict[str, Any]:
    """Generator parameters of ``domain`` at ``size``, with ``overrides`` applied."""
    if domain not in DOMAINS:
        raise InputError(None, f"unknown synthetic domain {domain!r} (choose from {DOMAINS})")
    if size not in SIZES:
        raise InputError(None, f"unknown size {size!r} (choose from {SIZES})")
    params = dict(importlib.import_module(f"cellbench.data.synth.{domain}").SIZES[size])
    unknown = set(overrides) - set(params)
    if unknown:
        raise InputError(
            None, f"unknown {domain} parameters {sorted(unknown)} (known: {sorted(params)})"
        )
    params.update(overrides)
    return params


def generate(
    domain: str,
    out: str | Path,
    seed: int,
    size: str = "default",
    *,
    overwrite: bool = False,
    **overrides: Any,
) -> Path:
    """Write the synthetic ``domain`` dataset (``synth-<domain>``) to ``out`` atomically.

    An existing ``out`` not written by cellbench is refused unless ``overwrite``
    (:func:`cellbench.io.check_output_dir`), before anything is generated.
    """
    params = parameters(domain, size, **overrides)
    check_output_dir(out, overwrite=overwrite)
    module = importlib.import_module(f"cellbench.data.synth.{domain}")
    return module.build(Path(out), int(seed), size, params, overwrite=overwrite)
