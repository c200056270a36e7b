"""Check that a trained deepng network finds objects before it is used (issue 19).

A network whose P(cell) never exceeds the seed threshold (0.8, Section II-C) returns empty label
images: every mAP is 0 and the tables show the failure only as a number. After training, the
network segments up to ``n_images`` labelled known-group images at the training scale; when it
finds no object in any of them, an ERROR names the cause (the P(cell) reached inside the
ground-truth objects vs the threshold) and the model file records it (``validation``), from where
the predictions' provenance and hence the evaluation summary carry it.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from cellbench.data.layout import PreparedDataset
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.images import to_rgb_float
from cellbench.methods.deepng.postprocess import postprocess
from cellbench.methods.predict import rescale_image, working_scale

log = logging.getLogger(__name__)


def check_images(
    dataset: PreparedDataset, cfg: DeepNGConfig, n_images: int = 8
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Up to ``n_images`` labelled training images of the known groups, normalised and
    resized to the training scale, with their labels at that scale (the paper has no
    validation split)."""
    ids = [
        image_id
        for group in cfg.known_groups
        for image_id in dataset.image_ids(split="train", group=group, labelled=True)
    ][:n_images]
    scale = working_scale(dataset, cfg.scale)
    return [
        (
            rescale_image(to_rgb_float(dataset.image(i), cfg.normalization), scale),
            rescale_image(dataset.labels(i), scale, order=0),
        )
        for i in ids
    ]


def validation_check(
    maps: list[np.ndarray], labels: list[np.ndarray], cfg: DeepNGConfig
) -> dict[str, Any]:
    """Objects found in the network's (3, H, W) probabilities of labelled images; logs an ERROR
    when there are none."""
    found = sum(int(postprocess(probs, cfg.postprocess).max()) for probs in maps)
    truth = sum(len(np.unique(gt[gt > 0])) for gt in labels)
    inside = [probs[1][gt > 0] for probs, gt in zip(maps, labels, strict=True)]
    p_cell = np.concatenate(inside) if inside else np.zeros(0)
    result = {
        "images": len(maps),
        "objects": found,
        "ground_truth_objects": truth,
        "p_cell_in_objects_median": float(np.median(p_cell)) if p_cell.size else None,
        "p_cell_in_objects_max": float(p_cell.max()) if p_cell.size else None,
        "seed_threshold": cfg.postprocess.seed_threshold,
        "no_objects": found == 0,
    }
    if found == 0:
        log.error(
            "deepng: THE NETWORK FINDS NO OBJECT in any of %d validation images (%d nuclei): "
            "P(cell) inside the nuclei has median %.3f and maximum %.3f, the seed threshold is "
            "%.2f. Every prediction of this model will be empty; train longer (more steps, a "
            "lighter encoder) or check the input normalisation.",
            len(maps),
            truth,
            result["p_cell_in_objects_median"] or 0.0,
            result["p_cell_in_objects_max"] or 0.0,
            cfg.postprocess.seed_threshold,
        )
    else:
        log.info(
            "deepng: %d objects found in %d validation images (%d nuclei)",
            found,
            len(maps),
            truth,
        )
    return result
