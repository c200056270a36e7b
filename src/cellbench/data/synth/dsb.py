"""DSB 2018-like nuclei in seven imaging types CT1–CT7.

CT1 dark-background fluorescence with small round nuclei (the dominant type); CT2 large
textured fluorescence nuclei; CT3 brightfield (dark nuclei on a light, uneven background);
CT4 H&E-like colour; CT5 dense touching clusters; CT6 elongated/irregular nuclei;
CT7 low-SNR, blurred fluorescence. Grey types are stored as three equal channels.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage as ndi

from cellbench.data.layout import write_dataset
from cellbench.data.synth import noise, shapes, stain, texture
from cellbench.data.synth.common import dataset_info, image_rngs

# Image counts of the DSB 2018 stage-1 types in paper 000 (CT1 ... CT7).
TYPE_WEIGHTS = {"CT1": 592, "CT2": 8, "CT3": 7, "CT4": 8, "CT5": 66, "CT6": 16, "CT7": 38}

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"total": 21, "min_train": 1, "test_per_type": 2, "size_range": [64, 96]},
    "default": {"total": 84, "min_train": 2, "test_per_type": 2, "size_range": [256, 520]},
}

# Per type: nucleus radius range (px), area fraction covered, elongation range, irregularity.
TYPES: dict[str, dict[str, Any]] = {
    "CT1": {"radius": (6, 12), "cover": (0.06, 0.22), "elong": (1.0, 1.4), "irreg": 0.06},
    "CT2": {"radius": (18, 32), "cover": (0.12, 0.3), "elong": (1.0, 1.5), "irreg": 0.08},
    "CT3": {"radius": (9, 16), "cover": (0.08, 0.2), "elong": (1.0, 1.5), "irreg": 0.1},
    "CT4": {"radius": (6, 11), "cover": (0.15, 0.3), "elong": (1.1, 1.8), "irreg": 0.12},
    "CT5": {"radius": (6, 10), "cover": (0.3, 0.45), "elong": (1.0, 1.5), "irreg": 0.1},
    "CT6": {"radius": (7, 12), "cover": (0.08, 0.2), "elong": (2.0, 4.0), "irreg": 0.18},
    "CT7": {"radius": (8, 14), "cover": (0.08, 0.2), "elong": (1.0, 1.4), "irreg": 0.08},
}


def type_counts(total: int, min_train: int, test_per_type: int) -> dict[str, int]:
    """Training images per type, proportional to :data:`TYPE_WEIGHTS` with at least
    ``min_train`` each; CT1 (the dominant type) takes the rest so that ``total`` is exact
    whenever it allows ``min_train`` per type."""
    n_train = max(0, total - test_per_type * len(TYPE_WEIGHTS))
    weight_sum = sum(TYPE_WEIGHTS.values())
    counts = {t: max(min_train, round(n_train * w / weight_sum)) for t, w in TYPE_WEIGHTS.items()}
    counts["CT1"] = max(min_train, n_train - sum(n for t, n in counts.items() if t != "CT1"))
    return counts


def nucleus_mask(rng: np.random.Generator, spec: dict[str, Any], max_radius: float) -> np.ndarray:
    return shapes.star_convex(
        rng,
        min(rng.uniform(*spec["radius"]), max_radius),
        elongation=rng.uniform(*spec["elong"]),
        irregularity=spec["irreg"],
    )


def layout(rng: np.random.Generator, shape: tuple[int, int], ct: str) -> np.ndarray:
    """Instance labels of one image of type ``ct``."""
    spec = TYPES[ct]
    mean_area = np.pi * np.mean(spec["radius"]) ** 2
    n = max(2, round(rng.uniform(*spec["cover"]) * shape[0] * shape[1] / mean_area))
    dense = ct == "CT5"
    return shapes.scatter(
        rng,
        shape,
        n,
        partial(nucleus_mask, spec=spec, max_radius=min(shape) / 6),
        clusters=int(rng.integers(2, 5)) if dense else 0,
        spread=0.12 * min(shape) if dense else 0.0,
        min_visible=0.6 if dense else 0.9,
        tries=8 if dense else 4,
    )


def chromatin(rng: np.random.Generator, labels: np.ndarray, strength: float) -> np.ndarray:
    """Per-pixel nuclear density: per-nucleus level x rounded profile x chromatin texture."""
    n = int(labels.max())
    level = np.concatenate([[0.0], rng.lognormal(0.0, 0.35, n)])
    grain = 1 + strength * (
        0.6 * texture.smooth_field(rng, labels.shape, 1.5)
        + texture.granules(rng, labels.shape, 0.02, 1.0)
        - 0.8 * texture.granules(rng, labels.shape, 0.002, 2.0)
    )
    return texture.per_object(labels, level) * texture.dome(labels, 3.0) * np.clip(grain, 0.2, None)


def fluorescence(
    rng: np.random.Generator,
    labels: np.ndarray,
    *,
    peak: float,
    background: float,
    psf: float,
    photons: float,
    read_noise: float,
) -> np.ndarray:
    """Dark-field fluorescence in [0, 1]: bright nuclei, autofluorescent uneven background."""
    density = chromatin(rng, labels, 0.3)
    autofluo = background * (1 + 0.5 * texture.smooth_field(rng, labels.shape, 20))
    light = texture.illumination(rng, labels.shape, 0.3)
    signal = noise.blur(light * (peak * density + np.clip(autofluo, 0, None)), psf)
    return np.clip(noise.poisson_gaussian(rng, signal, photons, read_noise), 0, 1)


def brightfield(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """Transmitted light: stained (dark) nuclei in faint cytoplasm on a bright uneven field."""
    density = chromatin(rng, labels, 0.5)
    near = ndi.distance_transform_edt(labels == 0) < rng.uniform(4, 10)
    cytoplasm = 0.12 * near * (1 + 0.3 * texture.smooth_field(rng, labels.shape, 3))
    debris = 0.3 * texture.granules(rng, labels.shape, 0.0005, 2.5)
    absorbance = rng.uniform(0.3, 0.6) * density + cytoplasm + debris
    light = rng.uniform(0.7, 0.85) * texture.illumination(rng, labels.shape, 0.5)
    signal = noise.blur(light * np.exp(-absorbance), rng.uniform(1.0, 1.8))
    return np.clip(noise.poisson_gaussian(rng, signal, 400, 0.01), 0, 1)


def he_colour(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """H&E-like RGB: purple haematoxylin nuclei in pink eosin tissue."""
    density = chromatin(rng, labels, 0.6)
    stroma = np.clip(0.25 + 0.12 * texture.smooth_field(rng, labels.shape, 3), 0.03, None)
    haem = 0.9 * density + 0.08 * np.clip(texture.smooth_field(rng, labels.shape, 8), 0, None)
    rgb = stain.absorb(
        [haem, stroma],
        [stain.jitter(rng, stain.HAEMATOXYLIN, 0.1), stain.jitter(rng, stain.EOSIN, 0.1)],
        np.array([0.96, 0.94, 0.97]),
    )
    return np.clip(noise.blur(rgb, 0.8) + rng.normal(0, 0.015, rgb.shape), 0, 1)


def render(rng: np.random.Generator, labels: np.ndarray, ct: str) -> np.ndarray:
    """uint8 RGB image of type ``ct`` for the given labels."""
    if ct == "CT3":
        return noise.grey_rgb(brightfield(rng, labels))
    if ct == "CT4":
        return noise.to_uint8(he_colour(rng, labels))
    settings = {
        "CT1": {"peak": rng.uniform(0.15, 0.5), "background": 0.012, "psf": 1.0, "photons": 800},
        "CT2": {"peak": rng.uniform(0.3, 0.6), "background": 0.06, "psf": 1.5, "photons": 800},
        "CT5": {"peak": rng.uniform(0.2, 0.5), "background": 0.02, "psf": 1.3, "photons": 800},
        "CT6": {"peak": rng.uniform(0.2, 0.5), "background": 0.02, "psf": 1.0, "photons": 800},
        "CT7": {"peak": rng.uniform(0.08, 0.15), "background": 0.03, "psf": 2.5, "photons": 150},
    }[ct]
    return noise.grey_rgb(fluorescence(rng, labels, read_noise=0.006, **settings))


def image_shape(rng: np.random.Generator, ct: str, size_range: list[int]) -> tuple[int, int]:
    low, high = size_range
    if ct == "CT4":  # DSB's H&E crops are small
        low, high = low, low + (high - low) // 4
    return tuple(int(8 * (rng.integers(low, high + 1) // 8)) for _ in range(2))


def build(
    out: Path, seed: int, size: str, params: dict[str, Any], *, overwrite: bool = False
) -> Path:
    """Write the synthetic DSB dataset to ``out``."""
    counts = type_counts(params["total"], params["min_train"], params["test_per_type"])
    plan = [
        (ct, split, i)
        for ct in TYPE_WEIGHTS
        for split, n in (("train", counts[ct]), ("test", params["test_per_type"]))
        for i in range(n)
    ]
    info = dataset_info(
        "dsb",
        seed,
        size,
        params,
        "DSB 2018-like nuclei, seven imaging types CT1-CT7",
        channels=("red", "green", "blue"),
    )
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for (ct, split, i), rng in zip(plan, image_rngs(seed, len(plan)), strict=True):
            labels = layout(rng, image_shape(rng, ct, params["size_range"]), ct)
            writer.add(
                f"{ct}_{split}_{i:03d}", render(rng, labels, ct), labels, split=split, group=ct
            )
    return Path(out)
