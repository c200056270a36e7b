"""Run names of cellulus: ``seed<N>`` (Table 1) and ``scale<s>-seed<N>`` (Table 2 sweep)."""

from __future__ import annotations

import re

from cellbench.methods.contract import working_scale

RUN = re.compile(r"^(?:scale(?P<scale>[0-9]+(?:\.[0-9]+)?)-)?seed(?P<seed>[0-9]+)$")


def run_name(seed: int, scale: float | None = None) -> str:
    return f"seed{seed}" if scale is None else f"scale{scale:g}-seed{seed}"


def parse_run(run: str) -> tuple[int, float | None]:
    """(seed, relative scale factor or None) of a run name."""
    match = RUN.match(run)
    if match is None:
        raise ValueError(f"not a cellulus run name: {run!r} (expected seed<N> or scale<s>-seed<N>)")
    scale = match.group("scale")
    return int(match.group("seed")), None if scale is None else float(scale)


def trained_run(run: str, retrain: bool) -> str:
    """Run whose trained network a run uses: itself, or its seed run when the sweep does not retrain."""
    seed, scale = parse_run(run)
    return run if scale is None or retrain else run_name(seed)


def run_scale(run: str, method_scale: float = 1.0) -> float:
    """Scale relative to the dataset's: ``methods.cellulus.scale`` × the run's sweep factor."""
    _, factor = parse_run(run)
    return method_scale * (1.0 if factor is None else factor)


def absolute_scale(dataset_root: str, run: str, method_scale: float = 1.0) -> float:
    """Scale a run sees a dataset at: dataset scale (``dataset.json``) × :func:`run_scale`."""
    return working_scale(dataset_root, run_scale(run, method_scale))


def trained_checkpoint(dataset: str, run: str, retrain: bool) -> str:
    """Path of the trained network (before bandwidth/shrink selection) a run uses."""
    return f"results/models/cellulus/{dataset}/{trained_run(run, retrain)}/trained.pt"
