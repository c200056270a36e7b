"""Run names of contrastive, built and parsed here only: ``seed<N>`` (a CSL run),
``cnn-seed<N>`` (the supervised CNN baseline) and ``threshold`` (the intensity threshold)."""

from __future__ import annotations

import re

CSL_PATTERN = "seed{cseed}"
"""Run name of a CSL run (also the rule file's wildcard pattern)."""
CNN_PATTERN = "cnn-seed{cseed}"
"""Run name of a supervised CNN run (also the rule file's wildcard pattern)."""
THRESHOLD_RUN = "threshold"
RUN = re.compile(r"^(?:(?:cnn-)?seed(?P<seed>\d+)|threshold)$")
"""Every contrastive run name."""
RUN_WILDCARD = r"seed\d+|cnn-seed\d+|threshold"
"""Wildcard constraint of ``{run}`` in the rule file."""


def csl_run(seed: int) -> str:
    return CSL_PATTERN.format(cseed=seed)


def cnn_run(seed: int) -> str:
    return CNN_PATTERN.format(cseed=seed)


def run_seed(run: str) -> int | None:
    """Seed of a run name (None for the threshold run; ValueError if it is no run name)."""
    match = RUN.match(run)
    if match is None:
        raise ValueError(
            f"not a contrastive run name: {run!r} (expected seed<N>, cnn-seed<N> or threshold)"
        )
    return None if match["seed"] is None else int(match["seed"])


def model_file(run: str) -> str:
    """File name of a run's model: JSON for the threshold, a checkpoint otherwise."""
    return "model.json" if run == THRESHOLD_RUN else "model.pt"
