"""Run names of contrastive, built and parsed here only: ``seed<N>`` (a CSL run),
``cnn-seed<N>`` (the supervised CNN baseline), ``threshold`` (the intensity threshold) and the
Table 1 sweep cells ``n<patches>-p<size>``. Light: the rule file imports it."""

from __future__ import annotations

import re

from cellbench.methods.contrastive.config import ContrastiveConfig

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


CELL_PATTERN = "n{patches}-p{psize}"
"""Name of a sweep cell (also the rule file's wildcard pattern)."""
CELL = re.compile(r"^n(?P<patches>\d+)-p(?P<psize>\d+)$")


def cell_name(patches: int, patch_size: int) -> str:
    return CELL_PATTERN.format(patches=patches, psize=patch_size)


def parse_cell(name: str) -> tuple[int, int]:
    """(patches, patch size) of a cell name; ValueError if it is none."""
    match = CELL.match(name)
    if match is None:
        raise ValueError(f"not a Table 1 cell name: {name!r} (expected n<patches>-p<size>)")
    return int(match["patches"]), int(match["psize"])


def sweep_cells(cfg: ContrastiveConfig) -> list[tuple[int, int]]:
    """The (patches, patch size) cells of the one-factor sweep, each once, in table order
    (ValueError, before any job runs, for a patch size larger than the crop)."""
    too_large = [p for p in cfg.table1.patch_sizes if p > cfg.crop_size]
    if too_large:
        raise ValueError(
            f"methods.contrastive.table1.patch_sizes {too_large} exceed crop_size {cfg.crop_size}"
        )
    cells = [(n, cfg.patch_size) for n in cfg.table1.patches]
    cells += [(cfg.patches, p) for p in cfg.table1.patch_sizes]
    return list(dict.fromkeys(cells))
