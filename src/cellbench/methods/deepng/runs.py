"""Run names of deepng, built and parsed here only: ``baseline-seed<N>`` (the segmentation
network) and ``<algo>-k<k>-seed<N>`` (a clustering and its retrained encoder)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cellbench.methods.deepng.config import DeepNGConfig

ALGORITHMS = ("kmc", "ng", "gng")
RUN = re.compile(r"^(?:(?P<algo>kmc|ng|gng)-k(?P<k>\d+)|baseline)-seed(?P<seed>\d+)$")
"""Every deepng run name."""
CLUSTER_WILDCARDS = {"algo": "|".join(ALGORITHMS), "k": r"\d+", "seed": r"\d+"}
"""Wildcard constraints of ``{algo}-k{k}-seed{seed}`` in the rule file."""


@dataclass(frozen=True)
class Run:
    algorithm: str  # "baseline" or one of ALGORITHMS
    k: int | None
    seed: int


def cluster_run(algo: str, k: int, seed: int) -> str:
    return f"{algo}-k{k}-seed{seed}"


def parse_run(run: str) -> Run:
    """Algorithm, k and seed of a run name (ValueError if it is none)."""
    match = RUN.match(run)
    if match is None:
        raise ValueError(
            f"not a deepng run name: {run!r} (expected baseline-seed<N> or <algo>-k<k>-seed<N>)"
        )
    k = match["k"]
    return Run(match["algo"] or "baseline", None if k is None else int(k), int(match["seed"]))


def algorithm_ks(cfg: DeepNGConfig, algo: str) -> list[int]:
    """k values of an algorithm: centroids for kMC/NG, initial units for GNG."""
    return list(cfg.gng_start if algo == "gng" else cfg.k)


def retrained_runs(cfg: DeepNGConfig) -> list[str]:
    """``{algo}-k{k}-seed{seed}`` for every configured algorithm, k and seed."""
    return [
        cluster_run(algo, k, seed)
        for algo in cfg.algorithms
        for k in algorithm_ks(cfg, algo)
        for seed in cfg.seeds
    ]


def baseline_run(cfg: DeepNGConfig) -> str:
    return f"baseline-seed{cfg.baseline_seed}"


def fig2_run(cfg: DeepNGConfig) -> str:
    """Clustering shown in Fig. 2: NG (else the first algorithm), its largest k, first seed."""
    algo = "ng" if "ng" in cfg.algorithms else cfg.algorithms[0]
    return cluster_run(algo, max(algorithm_ks(cfg, algo)), cfg.seeds[0])
