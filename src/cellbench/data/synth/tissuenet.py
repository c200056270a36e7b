"""TissueNet-like two-channel tissue images (nucleus + membrane) with whole-cell labels.

Cells tile the tissue densely: seeds are grown by a watershed on the distance to the seeds,
limited to a star-convex extent per cell; each cell holds an off-centre nucleus. The
membrane channel is bright along cell borders (punctate, uneven), the nucleus channel
shows textured nuclei; both are blurred and noisy. Groups are tissue types with different
cell sizes and densities.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import find_boundaries, watershed

from cellbench.data.layout import write_dataset
from cellbench.data.synth import noise, shapes, texture
from cellbench.data.synth.common import dataset_info, image_rngs, split_counts

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"images": 6, "shape": [64, 64]},
    "default": {"images": 24, "shape": [256, 256]},
}
# tissue: (cell radius range px, fraction of the image covered by tissue)
TISSUES = {"breast": ((9, 13), 0.85), "gi": ((7, 11), 0.95), "immune": ((5, 8), 0.9)}
SPLIT_FRACTIONS = (0.6, 0.2, 0.2)


def cells(
    rng: np.random.Generator, shape: tuple[int, int], radius: tuple[int, int], cover: float
) -> tuple[np.ndarray, np.ndarray]:
    """Whole-cell labels and nucleus labels (same ids) of one tissue image."""
    mean_r = np.mean(radius)
    n = round(cover * shape[0] * shape[1] / (np.pi * mean_r**2) * 1.1)
    seeds = rng.uniform((0, 0), shape, (n, 2))
    markers = np.zeros(shape, dtype=np.int32)
    ys, xs = np.clip(seeds.astype(int), 0, np.array(shape) - 1).T
    markers[ys, xs] = np.arange(1, n + 1)
    extent = np.zeros(shape, dtype=np.int32)
    for i, (y, x) in enumerate(seeds, start=1):
        blob = shapes.star_convex(
            rng, rng.uniform(*radius) * 1.25, elongation=rng.uniform(1, 1.6), irregularity=0.12
        )
        shapes.paste(extent, blob, (y, x), i, min_visible=0.0, overwrite=False)
    field = texture.smooth_field(rng, shape, 0.25 * min(shape))
    tissue = field >= np.quantile(field, 1 - cover)
    distance = ndi.distance_transform_edt(markers == 0)
    grown = watershed(
        distance,
        markers,
        mask=((extent > 0) | ndi.binary_dilation(extent > 0, iterations=3)) & tissue,
    )
    labels = shapes.relabel(grown, min_size=15)
    nuclei = np.zeros(shape, dtype=np.int32)
    for i, sl in enumerate(ndi.find_objects(labels), start=1):
        if sl is None:
            continue
        cell = labels[sl] == i
        inner = ndi.distance_transform_edt(cell)
        core = inner >= 0.45 * inner.max()
        nuclei[sl][core & ndi.binary_erosion(cell, iterations=1)] = i
    return labels, nuclei


def render(rng: np.random.Generator, labels: np.ndarray, nuclei: np.ndarray) -> np.ndarray:
    """float32 (Y, X, 2) image: nucleus and membrane channels."""
    shape = labels.shape
    n = int(labels.max())
    nuc_level = np.concatenate([[0.0], rng.lognormal(0, 0.3, n)])
    chromatin = (
        1
        + 0.25 * texture.smooth_field(rng, shape, 1.5)
        + 0.4 * texture.granules(rng, shape, 0.03, 1.0)
    )
    nucleus = texture.per_object(nuclei, nuc_level) * texture.dome(nuclei, 2.0) * chromatin
    mem_level = np.concatenate([[0.0], rng.lognormal(0, 0.45, n)])
    border = find_boundaries(labels, mode="inner") * texture.per_object(labels, mem_level)
    puncta = 0.5 + texture.granules(rng, shape, 0.15, 0.8)
    cytoplasm = 0.12 * (labels > 0) * (1 + 0.5 * texture.smooth_field(rng, shape, 3))
    membrane = border * puncta + cytoplasm
    light = texture.illumination(rng, shape, 0.3)
    channels = []
    for signal, background, sigma in ((nucleus, 0.05, 1.2), (membrane, 0.08, 1.0)):
        blurred = noise.blur(
            light * (signal + background * (1 + 0.4 * texture.smooth_field(rng, shape, 15))), sigma
        )
        channels.append(noise.poisson_gaussian(rng, blurred, 60, 0.02))
    return np.stack(channels, axis=-1).astype(np.float32)


def build(
    out: Path, seed: int, size: str, params: dict[str, Any], *, overwrite: bool = False
) -> Path:
    """Write the synthetic TissueNet dataset to ``out``."""
    n = params["images"]
    splits = [
        s
        for s, k in zip(("train", "val", "test"), split_counts(n, SPLIT_FRACTIONS), strict=True)
        for _ in range(k)
    ]
    tissues = list(TISSUES)
    info = dataset_info(
        "tissuenet",
        seed,
        size,
        params,
        "TissueNet-like nucleus + membrane images, whole-cell labels",
        channels=("nucleus", "membrane"),
    )
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for i, (split, rng) in enumerate(zip(splits, image_rngs(seed, n), strict=True)):
            tissue = tissues[i % len(tissues)]
            radius, cover = TISSUES[tissue]
            labels, nuclei = cells(rng, tuple(params["shape"]), radius, cover)
            writer.add(
                f"{tissue}_{i:03d}", render(rng, labels, nuclei), labels, split=split, group=tissue
            )
    return Path(out)
