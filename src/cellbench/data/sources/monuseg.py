"""MoNuSeg 2018: tissue TIFFs and XML polygon annotations (one Region per nucleus).

Overlap rule: polygons are drawn from the largest to the smallest area, so where outlines
overlap the smaller nucleus wins (a small nucleus inside a large outline stays visible).
Polygons with fewer than 3 vertices or no pixel left are dropped and counted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from skimage.draw import polygon as draw_polygon

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError


def read_polygons(path: Path) -> list[np.ndarray]:
    """Polygons (N, 2) as (x, y) vertices, in file order."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        raise InputError(path, f"cannot be parsed as XML ({exc})") from exc
    polygons = []
    for region in tree.getroot().iter("Region"):
        vertices = [
            (float(v.get("X", "nan")), float(v.get("Y", "nan"))) for v in region.iter("Vertex")
        ]
        polygons.append(np.asarray(vertices, dtype=float).reshape(-1, 2))
    return polygons


def rasterise(polygons: list[np.ndarray], shape: tuple[int, int]) -> tuple[np.ndarray, int]:
    """Label image of the polygons (smaller area wins overlaps) and the number dropped."""
    masks = []
    for poly in polygons:
        if len(poly) < 3 or not np.isfinite(poly).all():
            continue
        rr, cc = draw_polygon(poly[:, 1], poly[:, 0], shape=shape)
        if rr.size:
            masks.append((rr.size, len(masks), rr, cc))
    owner = np.zeros(shape, dtype=np.int64)
    for _, index, rr, cc in sorted(masks, key=lambda m: (-m[0], m[1])):
        owner[rr, cc] = index + 1
    kept = np.unique(owner[owner > 0])
    lut = np.zeros(len(masks) + 1, dtype=np.uint32)
    lut[kept] = np.arange(1, kept.size + 1)
    dtype = np.uint16 if kept.size < 65535 else np.uint32
    return lut[owner].astype(dtype), len(polygons) - int(kept.size)


def find_pairs(root: Path) -> list[tuple[Path, Path]]:
    """(image, annotation) pairs: every ``*.tif`` with an ``*.xml`` of the same name."""
    xmls = {p.stem: p for p in rglob(root, "*.xml")}
    pairs = [(t, xmls[t.stem]) for t in rglob(root, "*.tif") if t.stem in xmls]
    if not pairs:
        raise InputError(root, "no MoNuSeg image (*.tif) with an annotation (*.xml) found")
    return pairs
