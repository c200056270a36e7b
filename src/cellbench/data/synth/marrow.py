"""Bone-marrow smear crops (paper 002) with five cell categories and normal/abnormal images.

May–Grünwald–Giemsa-like colours on a pale smear with unlabelled red blood cells. Each
labelled cell (whole cell: nucleus + cytoplasm) belongs to one category recognisable by
appearance: myeloblast (large, open fine chromatin, nucleoli, thin blue rim), lymphocyte
(small, dark dense round nucleus, scant cytoplasm), neutrophil (segmented 3–5 lobes, pale
granular cytoplasm), monocyte (kidney-shaped nucleus, grey-blue vacuolated cytoplasm) and
megakaryocyte (rare, huge, lobulated nucleus). Abnormal images have an elevated myeloblast
proportion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage as ndi

from cellbench.data.layout import write_dataset
from cellbench.data.synth import noise, shapes, stain, texture
from cellbench.data.synth.common import dataset_info, image_rngs

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"images": 4, "test": 2, "shape": [128, 128], "cells": 6},
    "default": {"images": 20, "test": 6, "shape": [384, 384], "cells": 22},
}
CATEGORIES = ("myeloblast", "lymphocyte", "neutrophil", "monocyte", "megakaryocyte")
PROPORTIONS = {
    "normal": (0.05, 0.35, 0.4, 0.17, 0.03),
    "abnormal": (0.45, 0.2, 0.2, 0.12, 0.03),
}
# category: (cell radius range, nucleus/cell radius ratio, nuclear stain, chromatin
# granularity, cytoplasm blue, cytoplasm pink)
CELLS = {
    "myeloblast": ((15, 19), 0.82, 0.9, 0.15, 0.55, 0.05),
    "lymphocyte": ((8, 10), 0.85, 1.7, 0.3, 0.45, 0.0),
    "neutrophil": ((12, 14), 0.55, 1.5, 0.2, 0.08, 0.25),
    "monocyte": ((15, 18), 0.6, 1.0, 0.2, 0.3, 0.08),
    "megakaryocyte": ((34, 44), 0.6, 1.4, 0.25, 0.12, 0.3),
}


def nucleus_mask(rng: np.random.Generator, category: str, radius: float) -> np.ndarray:
    ratio = CELLS[category][1]
    if category == "neutrophil":
        return shapes.lobed(rng, radius * 0.85, int(rng.integers(3, 6)), lobe_radius=0.32)
    if category == "monocyte":
        return shapes.kidney(rng, radius * ratio)
    if category == "megakaryocyte":
        return shapes.lobed(rng, radius * 0.75, int(rng.integers(4, 8)), lobe_radius=0.5)
    return shapes.star_convex(
        rng, radius * ratio, elongation=rng.uniform(1.0, 1.2), irregularity=0.05
    )


def cell_categories(rng: np.random.Generator, n: int, image_label: str) -> list[str]:
    probs = np.array(PROPORTIONS[image_label])
    return [CATEGORIES[i] for i in rng.choice(len(CATEGORIES), n, p=probs / probs.sum())]


def layout(
    rng: np.random.Generator, shape: tuple[int, int], categories: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Whole-cell labels (consecutive, in placement order), nucleus mask and the category of
    each label."""
    labels = np.zeros(shape, dtype=np.int32)
    nuclei = np.zeros(shape, dtype=bool)
    placed: list[str] = []
    order = sorted(categories, key=lambda c: -CELLS[c][0][0])  # big cells first
    for category in order:
        radius = rng.uniform(*CELLS[category][0])
        cell = shapes.star_convex(rng, radius, elongation=rng.uniform(1.0, 1.25), irregularity=0.05)
        nucleus = nucleus_mask(rng, category, radius)
        pad = (cell.shape[0] - nucleus.shape[0]) // 2
        if pad >= 0:
            nucleus = np.pad(nucleus, pad)[: cell.shape[0], : cell.shape[1]]
        else:
            nucleus = nucleus[-pad : -pad + cell.shape[0], -pad : -pad + cell.shape[1]]
        nucleus &= cell
        for _ in range(5):
            centre = rng.uniform((0, 0), shape)
            if shapes.paste(labels, cell, tuple(centre), len(placed) + 1, min_visible=0.85):
                placed.append(category)
                mine = np.zeros(shape, dtype=np.int32)
                shapes.paste(mine, nucleus, tuple(centre), 1, min_visible=0.0, overwrite=True)
                nuclei |= (mine > 0) & (labels == len(placed))
                break
    return labels, nuclei, placed


def render(
    rng: np.random.Generator, labels: np.ndarray, nuclei: np.ndarray, placed: list[str]
) -> np.ndarray:
    """uint8 RGB smear image."""
    shape = labels.shape
    params = np.array([[0, 0, 0, 0, 0]] + [CELLS[c][1:] for c in placed], dtype=np.float64)
    nuc_stain, grain, blue, pink = (texture.per_object(labels, params[:, k]) for k in range(1, 5))
    fine = texture.smooth_field(rng, shape, 1.0)
    clumps = texture.granules(rng, shape, 0.05, 1.2)
    chromatin = np.clip(1 + grain * (fine + 2 * clumps - 1), 0.3, None)
    nucleoli = texture.granules(rng, shape, 0.003, 1.8) * (nuc_stain < 1.0)
    azure = nuclei * nuc_stain * chromatin * (1 - 0.6 * nucleoli)
    cyto = (labels > 0) & ~nuclei
    vacuoles = 1 - 0.6 * texture.granules(rng, shape, 0.004, 1.5)
    granular = 1 + 0.5 * texture.granules(rng, shape, 0.08, 0.7)
    basophil = cyto * blue * vacuoles
    eosin = cyto * pink * granular
    rbc = red_cells(rng, shape, labels > 0)
    background = 0.04 * (1 + 0.5 * texture.smooth_field(rng, shape, 30))
    rgb = stain.absorb(
        [noise.blur(m, 0.8) for m in (azure, basophil, eosin + background, rbc)],
        [
            stain.jitter(rng, vector, 0.08)
            for vector in (stain.AZURE, stain.BASOPHIL_BLUE, stain.EOSIN, stain.HAEMOGLOBIN)
        ],
        np.array([0.93, 0.92, 0.9]) * texture.illumination(rng, shape, 0.1)[..., None],
    )
    return noise.to_uint8(rgb + rng.normal(0, 0.01, rgb.shape))


def red_cells(rng: np.random.Generator, shape: tuple[int, int], occupied: np.ndarray) -> np.ndarray:
    """Eosin density of unlabelled erythrocytes: discs with central pallor, behind the cells."""
    density = np.zeros(shape)
    n = int(shape[0] * shape[1] / 900)
    yy, xx = np.ogrid[: shape[0], : shape[1]]
    for y, x, r in zip(
        rng.uniform(0, shape[0], n), rng.uniform(0, shape[1], n), rng.uniform(7, 9, n), strict=True
    ):
        ys, xs = (
            slice(max(int(y - r - 1), 0), int(y + r + 2)),
            slice(max(int(x - r - 1), 0), int(x + r + 2)),
        )
        d = np.hypot(yy[ys] - y, xx[:, xs] - x) / r
        density[ys, xs] = np.maximum(density[ys, xs], np.where(d <= 1, 0.25 + 0.2 * d**2, 0))
    return density * ~ndi.binary_dilation(occupied, iterations=1)


def build(
    out: Path, seed: int, size: str, params: dict[str, Any], *, overwrite: bool = False
) -> Path:
    """Write the synthetic bone-marrow dataset to ``out``."""
    n = params["images"]
    info = dataset_info(
        "marrow",
        seed,
        size,
        params,
        "Bone-marrow smear crops, 5 cell categories, normal/abnormal",
        channels=("red", "green", "blue"),
        categories=CATEGORIES,
    )
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for i, rng in enumerate(image_rngs(seed, n)):
            image_label = ("normal", "abnormal")[i % 2]
            count = max(1, round(params["cells"] * rng.uniform(0.8, 1.2)))
            labels, nuclei, placed = layout(
                rng, tuple(params["shape"]), cell_categories(rng, count, image_label)
            )
            categories = dict(enumerate(placed, start=1))  # labels are 1..n in order
            split = "test" if i >= n - params["test"] else "train"
            writer.add(
                f"{image_label}_{i:03d}",
                render(rng, labels, nuclei, placed),
                labels,
                split=split,
                group=image_label,
                categories=categories,
                image_label=image_label,
            )
    return Path(out)
