"""Run names of the deepng experiment grid (used by workflow/rules/deepng.smk)."""

from __future__ import annotations

from typing import Any


def algorithm_ks(cfg: dict[str, Any], algo: str) -> list[int]:
    """k values of an algorithm: centroids for kMC/NG, initial units for GNG."""
    return list(cfg["gng_start"] if algo == "gng" else cfg["k"])


def retrained_runs(cfg: dict[str, Any]) -> list[str]:
    """``{algo}-k{k}-seed{seed}`` for every configured algorithm, k and seed."""
    return [
        f"{algo}-k{k}-seed{seed}"
        for algo in cfg.get("algorithms", [])
        for k in algorithm_ks(cfg, algo)
        for seed in cfg["seeds"]
    ]


def baseline_run(cfg: dict[str, Any]) -> str:
    return f"baseline-seed{cfg.get('baseline_seed', 0)}"


def fig2_run(cfg: dict[str, Any]) -> str:
    """Clustering shown in Fig. 2: NG (else the first algorithm), its largest k, first seed."""
    algo = "ng" if "ng" in cfg["algorithms"] else cfg["algorithms"][0]
    return f"{algo}-k{max(algorithm_ks(cfg, algo))}-seed{cfg['seeds'][0]}"
