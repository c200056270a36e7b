"""Absorption stains (H&E, May–Grünwald–Giemsa) by the Beer–Lambert law."""

from __future__ import annotations

import numpy as np

# Optical density per unit stain in R, G, B (Ruifrok & Johnston's H&E vectors).
HAEMATOXYLIN = np.array([0.65, 0.70, 0.29])
EOSIN = np.array([0.07, 0.99, 0.11])
# Romanowsky stains: azure/methylene blue (nuclei, basophilic cytoplasm) and eosin (granules).
AZURE = np.array([0.55, 0.85, 0.30])
BASOPHIL_BLUE = np.array([0.75, 0.45, 0.20])
# Haemoglobin of erythrocytes (salmon red after Giemsa).
HAEMOGLOBIN = np.array([0.12, 0.80, 0.58])


def jitter(rng: np.random.Generator, vector: np.ndarray, amount: float) -> np.ndarray:
    """A stain vector perturbed per image (stain variation between slides/scanners)."""
    v = np.clip(vector * (1 + rng.normal(0, amount, 3)), 0.01, None)
    return v / np.linalg.norm(v)


def absorb(
    concentrations: list[np.ndarray], vectors: list[np.ndarray], white: np.ndarray
) -> np.ndarray:
    """RGB in [0, 1] transmitted through the given stain concentration maps."""
    od = sum(c[..., None] * v for c, v in zip(concentrations, vectors, strict=True))
    return white * np.exp(-od)
