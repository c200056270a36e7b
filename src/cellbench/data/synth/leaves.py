"""CVPPP A1-like Arabidopsis rosettes: RGB top views with per-leaf labels.

8–20 obovate leaves on petioles radiate from the rosette centre in a phyllotactic spiral
(golden angle); younger leaves are smaller and lie on top of older ones (occlusion, touching
and overlapping leaves). Leaves have a lighter midrib, shading towards the margin and
individual hue; the background is granular soil with a tray edge.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage as ndi

from cellbench.data.layout import write_dataset
from cellbench.data.synth import noise, shapes, texture
from cellbench.data.synth.common import dataset_info, image_rngs

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"images": 4, "test": 2, "shape": [96, 96], "leaves": [8, 12]},
    "default": {"images": 16, "test": 4, "shape": [320, 320], "leaves": [8, 20]},
}
GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))


def leaf(
    dy: np.ndarray, dx: np.ndarray, angle: float, length: float, width: float, bend: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mask of one obovate leaf (blade + petiole) pointing along ``angle`` from the origin,
    curved sideways by ``bend``, and the normalised distance from its midrib (0 on the
    midrib, 1 at the margin)."""
    u = dx * np.cos(angle) + dy * np.sin(angle)
    t = u / length
    v = -dx * np.sin(angle) + dy * np.cos(angle) - bend * length * np.clip(t, 0, 1) ** 2
    petiole = 0.35
    s = np.clip((t - petiole) / (1 - petiole), 0, 1)
    half_width = np.where(
        t < petiole,
        0.07 * width,
        width * np.sqrt(np.clip(s * (1 - s), 0, None)) * (1.2 - 0.5 * (1 - s)),
    )
    half_width = np.where((t >= 0) & (t <= 1), half_width, 0)
    inside = np.abs(v) <= half_width
    return inside, np.where(inside, np.abs(v) / np.maximum(half_width, 1e-6), 1.0)


def rosette(
    rng: np.random.Generator, shape: tuple[int, int], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leaf labels (young on top), per-pixel midrib distance and per-pixel leaf shade."""
    centre = np.array(shape) / 2 + rng.normal(0, 0.04 * min(shape), 2)
    yy, xx = np.indices(shape, dtype=np.float64)
    dy, dx = yy - centre[0], xx - centre[1]
    labels = np.zeros(shape, dtype=np.int32)
    rib = np.ones(shape)
    shade = np.zeros(shape)
    size = rng.uniform(0.32, 0.45) * min(shape)
    start = rng.uniform(0, 2 * np.pi)
    for i in range(n):  # oldest first, so younger leaves are painted on top
        age = 1 - i / n
        angle = start + i * GOLDEN_ANGLE + rng.normal(0, 0.12)
        length = size * (0.35 + 0.65 * age**0.7) * rng.uniform(0.85, 1.1)
        mask, d = leaf(dy, dx, angle, length, length * rng.uniform(0.45, 0.65), rng.normal(0, 0.12))
        labels[mask] = i + 1
        rib[mask] = d[mask]
        shade[mask] = rng.normal(0, 1)
    return shapes.relabel(labels, min_size=20), rib, shade


def render(
    rng: np.random.Generator, labels: np.ndarray, rib: np.ndarray, shade: np.ndarray
) -> np.ndarray:
    """uint8 RGB top view."""
    shape = labels.shape
    leafy = labels > 0
    base = np.array([0.22, 0.42, 0.12]) * rng.uniform(0.85, 1.15)
    tone = 1 + 0.08 * shade[..., None] * np.array([1.0, 0.6, 1.0])
    veins = 1 + 0.25 * np.exp(-((rib / 0.08) ** 2))[..., None]
    margin = 1 - 0.3 * rib[..., None] ** 4
    edges = ndi.binary_dilation(labels, iterations=1) & (
        ndi.maximum_filter(labels, 3)
        != ndi.minimum_filter(np.where(leafy, labels, np.iinfo(labels.dtype).max), 3)
    )
    leaf_rgb = (
        base * tone * veins * margin * (1 + 0.06 * texture.smooth_field(rng, shape, 2))[..., None]
    )
    leaf_rgb *= np.where(edges, 0.75, 1.0)[..., None]
    soil = np.array([0.33, 0.25, 0.18]) * rng.uniform(0.8, 1.1)
    grit = (
        1
        + 0.25 * texture.smooth_field(rng, shape, 1.0)
        + 0.15 * texture.smooth_field(rng, shape, 6)
    )
    pebbles = 0.5 * texture.granules(rng, shape, 0.002, 1.5)
    soil_rgb = soil * grit[..., None] + pebbles[..., None] * 0.5
    yy, xx = np.indices(shape) / np.array(shape).reshape(2, 1, 1)
    tray = np.maximum(np.abs(yy - 0.5), np.abs(xx - 0.5)) > 0.47
    soil_rgb[tray] = np.array([0.12, 0.12, 0.13]) * (1 + 0.1 * rng.standard_normal(3))
    shadow = 1 - 0.4 * np.clip(noise.blur(leafy.astype(float), 3) - leafy, 0, 1)
    rgb = np.where(leafy[..., None], leaf_rgb, soil_rgb * shadow[..., None])
    rgb = noise.blur(rgb, 0.7) * texture.illumination(rng, shape, 0.15)[..., None]
    return noise.to_uint8(rgb + rng.normal(0, 0.01, rgb.shape))


def build(
    out: Path, seed: int, size: str, params: dict[str, Any], *, overwrite: bool = False
) -> Path:
    """Write the synthetic CVPPP-like dataset to ``out``."""
    n = params["images"]
    info = dataset_info(
        "leaves", seed, size, params, "CVPPP A1-like rosettes", channels=("red", "green", "blue")
    )
    low, high = params["leaves"]
    with write_dataset(out, info, overwrite=overwrite) as writer:
        for i, rng in enumerate(image_rngs(seed, n)):
            labels, rib, shade = rosette(
                rng, tuple(params["shape"]), int(rng.integers(low, high + 1))
            )
            split = "test" if i >= n - params["test"] else "train"
            writer.add(
                f"plant{i:03d}", render(rng, labels, rib, shade), labels, split=split, group="A1"
            )
    return Path(out)
