"""Baseline: optimal global intensity threshold (paper §3.2 "Baseline Methods", Table 2).

The ε-shifted image is converted to grey (ITU-R 601 luma); nuclei are pixels darker than t;
t is the value of a grid of ``grid`` points in [0, 1] with the best mean per-image Dice on the
*training* images (the authors' code tunes and scores on one folder: not copied). Instances
are the 4-connected components of the mask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cellbench.errors import InputError
from cellbench.io import write_json
from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.images import grey, prepare_image
from cellbench.methods.contrastive.postprocess import instances
from cellbench.methods.contrastive.trainset import load_trainset
from cellbench.provenance import provenance


def threshold_dice(
    greys: list[np.ndarray], masks: list[np.ndarray], thresholds: np.ndarray
) -> np.ndarray:
    """Mean over images of the Dice of (grey < t) against the mask, for every t."""
    scores = np.zeros((len(greys), len(thresholds)))
    for i, (g, m) in enumerate(zip(greys, masks, strict=True)):
        all_sorted = np.sort(g, axis=None)
        fg_sorted = np.sort(g[m], axis=None)
        pred = np.searchsorted(all_sorted, thresholds, side="left")
        inter = np.searchsorted(fg_sorted, thresholds, side="left")
        den = pred + fg_sorted.size
        scores[i] = np.where(den == 0, 1.0, 2 * inter / np.maximum(den, 1))
    return scores.mean(axis=0)


def fit_threshold(greys: list[np.ndarray], masks: list[np.ndarray], grid: int) -> dict[str, Any]:
    """Best t on ``np.linspace(0, 1, grid)`` (first of ties) and the Dice of every t."""
    thresholds = np.linspace(0.0, 1.0, grid)
    dice = threshold_dice(greys, masks, thresholds)
    best = int(np.argmax(dice))
    return {
        "threshold": float(thresholds[best]),
        "train_dice": float(dice[best]),
        "grid": thresholds.tolist(),
        "grid_dice": dice.tolist(),
    }


def fit(
    dataset_root: str | Path,
    out_path: str | Path,
    cfg: ContrastiveConfig,
    config_digest: str | None = None,
) -> Path:
    """Tune t on the ``train`` split and write it as JSON."""
    trainset = load_trainset(dataset_root, cfg.epsilon, 1, cfg.scale, split="train")
    record = {
        "kind": "threshold",
        **fit_threshold([grey(im) for im in trainset.images], trainset.masks, cfg.threshold_grid),
        "epsilon": cfg.epsilon,
        "train_images": trainset.image_ids,
        "provenance": provenance(config_digest=config_digest),
    }
    return write_json(out_path, record)


@dataclass(frozen=True)
class ThresholdSegmenter:
    threshold: float
    epsilon: float

    def segment(self, image: np.ndarray) -> np.ndarray:
        return instances(grey(prepare_image(image, self.epsilon)) < self.threshold)


def load(model_path: str | Path, device: str = "auto") -> ThresholdSegmenter:
    """The segmenter of a threshold model file (``device`` is unused)."""
    path = Path(model_path)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot be read as a threshold model ({exc})") from exc
    if record.get("kind") != "threshold":
        raise InputError(path, "not a contrastive threshold model")
    return ThresholdSegmenter(float(record["threshold"]), float(record["epsilon"]))
