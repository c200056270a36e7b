"""Supervision of the training modes: which objects (and whether the background) are labelled.

A training target is an int64 (H, W) map: ``-1`` unlabeled, ``0`` labelled background, ``k > 0``
a labelled object. SPOCO@p (§3.2, METHODS.md): once per run (seeded), per image shuffle the
non-background labels and keep round(p·N) (Python rounding, half to even), never the background.
"""

from __future__ import annotations

import numpy as np

from cellbench.methods.spoco.config import parse_mode

UNLABELED = -1


def kept_count(n_objects: int, fraction: float) -> int:
    """round(p·N) with Python's half-to-even rounding; p·N < 0.5 keeps none."""
    return round(fraction * n_objects)


def sample_objects(
    labels: list[np.ndarray], fraction: float, rng: np.random.Generator
) -> list[list[int]]:
    """Per image, the object ids kept for SPOCO@p (shuffled, then the first round(p·N))."""
    kept = []
    for lab in labels:
        ids = np.unique(lab)
        ids = ids[ids != 0]
        rng.shuffle(ids)
        kept.append(sorted(int(i) for i in ids[: kept_count(len(ids), fraction)]))
    return kept


def sample_images(n_images: int, fraction: float, rng: np.random.Generator) -> list[int]:
    """Indices of the densely labelled images of ``dense_fraction@q``: round(q·n), at least 1."""
    n = max(1, kept_count(n_images, fraction))
    return sorted(int(i) for i in rng.choice(n_images, size=min(n, n_images), replace=False))


def sparse_target(labels: np.ndarray, kept: list[int]) -> np.ndarray:
    """Target with only ``kept`` objects labelled; everything else (background too) unlabeled."""
    target = np.full(labels.shape, UNLABELED, dtype=np.int64)
    for k in kept:
        target[labels == k] = k
    return target


def build_targets(
    labels: list[np.ndarray], mode: str, rng: np.random.Generator
) -> tuple[list[int], list[np.ndarray], dict]:
    """(training image indices, their targets, the record of what was kept) for ``mode``."""
    kind, fraction = parse_mode(mode)
    if kind in ("full", "discriminative"):
        return list(range(len(labels))), [lab.astype(np.int64) for lab in labels], {"images": "all"}
    if kind == "dense_fraction":
        chosen = sample_images(len(labels), fraction, rng)
        return chosen, [labels[i].astype(np.int64) for i in chosen], {"images": chosen}
    kept = sample_objects(labels, fraction, rng)
    targets = [sparse_target(lab, k) for lab, k in zip(labels, kept, strict=True)]
    return list(range(len(labels))), targets, {"kept_objects": kept}
