"""Object masks (star-convex, elliptic, lobed, kidney) and non-overlapping placement.

Masks are boolean arrays on a local grid centred on the object; :func:`paste` writes them
into a label image so that an object only claims pixels that are still background, hence
objects never share pixels.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from scipy import ndimage as ndi


def polar_grid(half: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (dy, dx) of a (2·half+1)² grid centred on 0."""
    ax = np.arange(-half, half + 1, dtype=np.float64)
    return np.meshgrid(ax, ax, indexing="ij")


def star_convex(
    rng: np.random.Generator,
    radius: float,
    *,
    elongation: float = 1.0,
    irregularity: float = 0.08,
    harmonics: int = 5,
    angle: float | None = None,
) -> np.ndarray:
    """Star-convex blob: an ellipse (axis ratio ``elongation``) whose radius is modulated
    by random low-order harmonics of relative amplitude ``irregularity``."""
    angle = rng.uniform(0, np.pi) if angle is None else angle
    half = int(np.ceil(radius * max(elongation, 1.0) * (1 + 3 * irregularity))) + 2
    dy, dx = polar_grid(half)
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    a, b = radius * np.sqrt(elongation), radius / np.sqrt(elongation)
    rho = np.hypot(u / a, v / b)
    theta = np.arctan2(v, u)
    bound = np.ones_like(theta)
    for k in range(2, harmonics + 1):
        amp = irregularity * rng.normal() / k**0.5
        bound += amp * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    return rho <= bound


def lobed(
    rng: np.random.Generator, radius: float, lobes: int, *, lobe_radius: float = 0.45
) -> np.ndarray:
    """Segmented nucleus: ``lobes`` discs along a curved chain joined by thin bridges."""
    half = int(np.ceil(radius * 1.4)) + 2
    dy, dx = polar_grid(half)
    mask = np.zeros(dy.shape, dtype=bool)
    start = rng.uniform(0, 2 * np.pi)
    span = rng.uniform(1.2, 2.2) * np.pi
    angles = start + np.linspace(0, span, lobes)
    ring = radius * (1 - lobe_radius) * rng.uniform(0.8, 1.0, lobes)
    centres = np.stack([ring * np.sin(angles), ring * np.cos(angles)], axis=1)
    r_lobe = radius * lobe_radius * rng.uniform(0.75, 1.05, lobes)
    for (cy, cx), r in zip(centres, r_lobe, strict=True):
        mask |= (dy - cy) ** 2 + (dx - cx) ** 2 <= r**2
    for (y0, x0), (y1, x1) in itertools.pairwise(centres):
        t = np.linspace(0, 1, 20)[:, None]
        pts = (1 - t) * np.array([y0, x0]) + t * np.array([y1, x1])
        for cy, cx in pts:
            mask |= (dy - cy) ** 2 + (dx - cx) ** 2 <= (0.18 * radius) ** 2
    return mask


def kidney(rng: np.random.Generator, radius: float) -> np.ndarray:
    """Kidney/horseshoe-shaped nucleus: an ellipse with an off-centre notch."""
    body = star_convex(rng, radius, elongation=1.3, irregularity=0.05, angle=0.0)
    half = body.shape[0] // 2
    dy, dx = polar_grid(half)
    notch = (dy - 0.95 * radius) ** 2 + dx**2 <= (0.55 * radius) ** 2
    mask = body & ~notch
    return ndi.rotate(mask.astype(np.uint8), rng.uniform(0, 360), reshape=False, order=0) > 0


def paste(
    labels: np.ndarray,
    mask: np.ndarray,
    centre: tuple[float, float],
    label: int,
    *,
    min_visible: float = 1.0,
    overwrite: bool = False,
) -> bool:
    """Write ``mask`` centred at ``centre`` into ``labels`` as ``label``.

    Without ``overwrite`` only background pixels are claimed and the object is rejected
    (nothing written) if less than ``min_visible`` of it would be visible, inside the image
    and not hidden by earlier objects. With ``overwrite`` the object occludes earlier ones.
    Only the largest connected part of what is written is kept.
    """
    half_y, half_x = mask.shape[0] // 2, mask.shape[1] // 2
    cy, cx = round(centre[0]), round(centre[1])
    y0, x0 = cy - half_y, cx - half_x
    ys = slice(max(y0, 0), min(y0 + mask.shape[0], labels.shape[0]))
    xs = slice(max(x0, 0), min(x0 + mask.shape[1], labels.shape[1]))
    if ys.start >= ys.stop or xs.start >= xs.stop:
        return False
    local = mask[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0]
    window = labels[ys, xs]
    claim = local if overwrite else local & (window == 0)
    total = int(mask.sum())
    if total == 0 or claim.sum() < min_visible * total:
        return False
    parts, n = ndi.label(claim)
    if n > 1:
        sizes = np.bincount(parts.ravel())[1:]
        claim = parts == 1 + int(np.argmax(sizes))
    window[claim] = label
    return True


def relabel(labels: np.ndarray, min_size: int = 1) -> np.ndarray:
    """Consecutive uint16 labels 1..n, keeping only the largest part of each object and
    dropping objects smaller than ``min_size`` pixels."""
    out = np.zeros(labels.shape, dtype=np.uint16)
    slices = ndi.find_objects(labels)
    next_label = 1
    for old, sl in enumerate(slices, start=1):
        if sl is None:
            continue
        region = labels[sl] == old
        parts, n = ndi.label(region)
        if n > 1:
            region = parts == 1 + int(np.argmax(np.bincount(parts.ravel())[1:]))
        if region.sum() < min_size:
            continue
        out[sl][region] = next_label
        next_label += 1
    return out


def scatter(
    rng: np.random.Generator,
    shape: tuple[int, int],
    n: int,
    make_mask: Callable[[np.random.Generator], np.ndarray],
    *,
    clusters: int = 0,
    spread: float = 30.0,
    min_visible: float = 0.85,
    tries: int = 4,
) -> np.ndarray:
    """Place up to ``n`` objects from ``make_mask(rng)`` at random centres (uniform, or
    Gaussian around ``clusters`` cluster centres); objects may touch but never share pixels.
    Returns consecutive labels."""
    labels = np.zeros(shape, dtype=np.int32)
    hubs = rng.uniform(
        (0.15 * shape[0], 0.15 * shape[1]),
        (0.85 * shape[0], 0.85 * shape[1]),
        (max(clusters, 1), 2),
    )
    placed = 0
    for _ in range(n):
        mask = make_mask(rng)
        for _ in range(tries):
            if clusters:
                centre = hubs[rng.integers(clusters)] + rng.normal(0, spread, 2)
            else:
                centre = rng.uniform((0, 0), shape)
            if paste(labels, mask, tuple(centre), placed + 1, min_visible=min_visible):
                placed += 1
                break
    return relabel(labels, min_size=12)
