"""Unsupervised nuclei segmentation of paper 002 (Sec. III-B1, Fig. 6), a method in its own right.

Reinhard normalisation -> Macenko separation -> haematoxylin threshold -> hole filling ->
small-object removal -> thin-protrusion removal -> 7×7 opening -> connected components; or,
``detection: clog``, the authors' code after the hole filling (:mod:`.clog`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi
from skimage import measure, morphology

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import write_json
from cellbench.methods.infogan import stain
from cellbench.methods.infogan.clog import clog_labels
from cellbench.methods.infogan.config import InfoganConfig, SegmentationConfig
from cellbench.provenance import provenance


def haematoxylin(image: np.ndarray, config: SegmentationConfig) -> np.ndarray:
    """Haematoxylin intensity image (0–255, nuclei dark) of one uint8 RGB image."""
    rgb = stain.check_rgb(image)
    normalised = stain.reinhard(rgb, config.target_mean, config.target_std)
    stains = stain.macenko_stains(normalised, config.min_magnitude, config.angle_percentile)
    source = normalised if config.deconvolve == "normalised" else rgb
    return stain.deconvolve(source, stains)[..., 0]


def postprocess(mask: np.ndarray, config: SegmentationConfig) -> np.ndarray:
    """Binary nucleus mask -> uint32 instance labels (hole filling, size, protrusions, opening)."""
    mask = ndi.binary_fill_holes(mask)
    mask = morphology.remove_small_objects(mask, max_size=config.min_size - 1)
    if config.protrusion_radius:
        mask = morphology.opening(mask, morphology.disk(config.protrusion_radius))
    mask = morphology.opening(mask, np.ones((config.opening_size, config.opening_size), bool))
    labels = measure.label(mask, connectivity=1)
    if config.heuristics == "code":
        labels = bounding_box_rules(labels, config.opening_size)
    return labels.astype(np.uint32)


def clog_postprocess(h: np.ndarray, config: SegmentationConfig) -> np.ndarray:
    """The authors' code: threshold, hole filling, cLoG detection (:func:`.clog.clog_labels`),
    then the bounding-box rules if ``heuristics: code``."""
    foreground = ndi.binary_fill_holes(h < config.threshold)
    labels = clog_labels(
        h, foreground, config.clog_sigma, config.clog_radius, config.min_size, config.compaction
    )
    if config.heuristics == "code":
        labels = bounding_box_rules(labels, config.opening_size)
    return labels.astype(np.uint32)


def bounding_box_rules(labels: np.ndarray, opening_size: int) -> np.ndarray:
    """The authors' code variant: keep objects with 100 < bbox area < 450; open larger ones
    once more and keep their pieces with bbox area < 800."""
    out = np.zeros(labels.shape, np.int32)
    next_id = 1
    for region in measure.regionprops(labels):
        r0, c0, r1, c1 = region.bbox
        area = (r1 - r0) * (c1 - c0)
        if 100 < area < 450:
            out[r0:r1, c0:c1][region.image] = next_id
            next_id += 1
        elif area >= 450:
            pieces = measure.label(
                morphology.opening(region.image, morphology.disk(opening_size // 2))
            )
            for piece in measure.regionprops(pieces):
                p0, q0, p1, q1 = piece.bbox
                if (p1 - p0) * (q1 - q0) < 800:
                    out[r0:r1, c0:c1][pieces == piece.label] = next_id
                    next_id += 1
    return out


class NucleiSegmenter:
    """``segment(image) -> uint32 labels`` with the paper's segmentation parameters."""

    def __init__(self, config: SegmentationConfig | None = None) -> None:
        self.config = config or SegmentationConfig()

    def segment(self, image: np.ndarray) -> np.ndarray:
        """Nucleus instance labels of one uint8 RGB H&E image (same height and width)."""
        h = haematoxylin(image, self.config)
        if self.config.detection == "clog":
            return clog_postprocess(h, self.config)
        return postprocess(h < self.config.threshold, self.config)


def fit(
    dataset_root: str | Path,
    out: str | Path,
    config: InfoganConfig,
    *,
    config_digest: str | None = None,
) -> Path:
    """The segmentation has no training: write its parameter file for one prepared dataset
    (shared ``scripts/fit.py``; the shared prediction code segments at the working scale)."""
    dataset = PreparedDataset(dataset_root)
    record = {
        "method": "infogan",
        "dataset": dataset.name,
        "segmentation": config.segmentation.to_dict(),
        "provenance": provenance(config_digest=config_digest, device="cpu"),
    }
    return write_json(out, record)


def load(model_path: str | Path, device: str = "auto") -> NucleiSegmenter:
    """Load the segmenter written by :func:`fit` (CPU only; ``device`` is ignored)."""
    path = Path(model_path)
    try:
        record = json.loads(path.read_text())
        return NucleiSegmenter(SegmentationConfig(**record["segmentation"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not an infogan nuclei model file ({exc})") from exc
