"""Seeding and dataset metadata shared by the generators."""

from __future__ import annotations

from typing import Any

import numpy as np

from cellbench.data.layout import DatasetInfo


def image_rngs(seed: int, n: int) -> list[np.random.Generator]:
    """One independent generator per image, derived from ``seed`` (bit-identical per seed)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def dataset_info(
    domain: str, seed: int, size: str, params: dict[str, Any], description: str, **fields: Any
) -> DatasetInfo:
    """``DatasetInfo`` of a synthetic dataset, recording the generator and its parameters."""
    return DatasetInfo(
        name=f"synth-{domain}",
        domain=domain,
        source=f"cellbench.data.synth.{domain}",
        seed=seed,
        description=description,
        extra={"size": size, "params": params},
        **fields,
    )


def split_counts(n: int, fractions: tuple[float, ...]) -> list[int]:
    """Split ``n`` items by ``fractions`` (last part takes the rest, every part ≥ 1 if n allows)."""
    counts = [max(1, round(n * f)) for f in fractions[:-1]]
    return [*counts, max(0, n - sum(counts))]
