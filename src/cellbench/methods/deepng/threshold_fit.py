"""Post-processing thresholds chosen on labelled training images (CPU-scale option, issue 19).

Paper 000 (Section II-C) fixes the watershed thresholds at 0.8 (seeds), 0.2 (background marker)
and 0.3 (height map). A network trained for a few hundred CPU steps is less sharp than the
paper's: its foreground probability falls off over a pixel or two around each nucleus, so at 0.2
the instances grow by a ring (area +10-25 % on synth-dsb CT1) and touching nuclei merge. With
``postprocess.fit`` the seed threshold and the background/height pair (the paper's 0.1 gap kept)
are chosen by the mean Kaggle DSB AP (the paper's metric) of the network's own segmentations of
the labelled known-group training images; ties keep the paper's values. Test images are never
used.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from cellbench.data.layout import PreparedDataset
from cellbench.methods.deepng.config import DeepNGConfig, PostprocessConfig
from cellbench.methods.deepng.postprocess import postprocess
from cellbench.methods.deepng.sanity import check_images, validation_check
from cellbench.methods.deepng.segmenter import probabilities
from cellbench.metrics.dsb import dsb_ap
from cellbench.models.resnet_unet import ResNetUNet

log = logging.getLogger(__name__)

SEED_THRESHOLDS = (0.8, 0.7, 0.9)
"""Seed thresholds tried (the paper's first, so that it wins ties)."""
BACKGROUND_HEIGHT = ((0.2, 0.3), (0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7))
"""(background marker, height map) thresholds tried: the paper's pair first, then shifted up."""


def candidates(paper: PostprocessConfig) -> list[PostprocessConfig]:
    """The grid, the paper's values first; the instance filter (mean likelihood) is kept."""
    return [
        paper.model_copy(
            update={
                "seed_threshold": seed,
                "background_threshold": background,
                "height_threshold": height,
            }
        )
        for seed in SEED_THRESHOLDS
        for background, height in BACKGROUND_HEIGHT
    ]


def choose_thresholds(
    probability_maps: list[np.ndarray],
    labels: list[np.ndarray],
    paper: PostprocessConfig,
) -> tuple[PostprocessConfig, dict[str, Any]]:
    """The grid point with the highest mean DSB AP over the (probabilities, labels) pairs."""
    if not probability_maps or len(probability_maps) != len(labels):
        raise ValueError("need one label image per probability map, and at least one")
    scores = []
    for cfg in candidates(paper):
        ap = [
            dsb_ap(gt, postprocess(p, cfg)) for p, gt in zip(probability_maps, labels, strict=True)
        ]
        scores.append((float(np.mean(ap)), cfg))
    best_score, best = max(scores, key=lambda scored: scored[0])  # first maximum: paper on ties
    record = {
        "images": len(labels),
        "metric": "mean Kaggle DSB AP (IoU 0.5-0.95) on labelled known-group training images",
        "paper": _thresholds(paper),
        "paper_score": scores[0][0],
        "chosen": _thresholds(best),
        "chosen_score": best_score,
        "grid": [{**_thresholds(cfg), "score": score} for score, cfg in scores],
    }
    return best, record


def fit_postprocess(
    maps: list[np.ndarray], labels: list[np.ndarray], paper: PostprocessConfig
) -> tuple[PostprocessConfig, dict[str, Any]]:
    """Thresholds from the network's probabilities of labelled training images, logged."""
    chosen, record = choose_thresholds(maps, labels, paper)
    log.info(
        "deepng: post-processing thresholds fitted on %d training images: seed %.1f, "
        "background %.1f, height %.1f (DSB AP %.3f; paper's 0.8/0.2/0.3: %.3f)",
        len(labels),
        chosen.seed_threshold,
        chosen.background_threshold,
        chosen.height_threshold,
        record["chosen_score"],
        record["paper_score"],
    )
    return chosen, record


def finish_model(
    model: ResNetUNet, dataset: PreparedDataset, cfg: DeepNGConfig, device: torch.device
) -> tuple[DeepNGConfig, dict[str, Any]]:
    """After training: thresholds fitted when ``postprocess.fit``, then the object check
    (:mod:`~cellbench.methods.deepng.sanity`) with them. Returns the config to store with the
    model and the records for its file (``validation``, ``postprocess_fit``)."""
    model.eval()
    images = check_images(dataset, cfg)
    maps = [probabilities(model, rgb, device) for rgb, _ in images]
    labels = [gt for _, gt in images]
    record = None
    if cfg.postprocess.fit:
        fitted, record = fit_postprocess(maps, labels, cfg.postprocess)
        cfg = cfg.model_copy(update={"postprocess": fitted})
    validation = validation_check(maps, labels, cfg)
    return cfg, {"validation": validation, "postprocess_fit": record}


def _thresholds(cfg: PostprocessConfig) -> dict[str, float]:
    return {
        "seed_threshold": cfg.seed_threshold,
        "background_threshold": cfg.background_threshold,
        "height_threshold": cfg.height_threshold,
    }
