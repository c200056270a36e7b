"""Line search of the mean-shift bandwidth and the halo shrink (paper 001, §3.2 and §4).

The paper picks the bandwidth by a line search and the shrink distance in 0–6 px "reporting the
best score". Here both are chosen on the **training** split only (CTC sequence 01), scored with
the shared metrics (:mod:`cellbench.metrics`), so that the held-out test sequence never
influences a parameter. The expensive part (noisy passes) runs once per image; every
(bandwidth, shrink) pair reuses it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import atomic_path
from cellbench.methods.cellulus.infer import mean_shift, postprocess
from cellbench.methods.cellulus.segmenter import CellulusSegmenter, load, read_checkpoint
from cellbench.methods.cellulus.train import save_checkpoint
from cellbench.methods.predict import rescale_image, restore_labels
from cellbench.provenance import provenance

log = logging.getLogger(__name__)


def selection_images(dataset: PreparedDataset, max_images: int) -> list[str]:
    """Labelled, fully annotated training images; an evenly spaced subset of ``max_images``."""
    ids = dataset.evaluation_ids("train")
    if not ids:
        raise InputError(
            dataset.root, "no fully labelled training images to select bandwidth/shrink on"
        )
    if len(ids) <= max_images:
        return ids
    picks = np.linspace(0, len(ids) - 1, max_images).round().astype(int)
    return [ids[i] for i in sorted(set(picks.tolist()))]


def grid_scores(
    segmenter: CellulusSegmenter,
    images: Sequence[np.ndarray],
    truths: Sequence[np.ndarray],
    bandwidths: Sequence[float],
    shrinks: Sequence[int],
    scale: float = 1.0,
) -> pd.DataFrame:
    """Pooled F1 and SEG of every (bandwidth, shrink) on the given images (GT at scale 1)."""
    from cellbench.metrics import dataset_scores, image_scores

    embeddings = [segmenter.embed(rescale_image(image, scale)) for image in images]
    for embedding in embeddings:
        segmenter.check_foreground(embedding)
    rows = []
    for bandwidth in bandwidths:
        clusters = [
            mean_shift(
                e,
                bandwidth,
                segmenter.config.meanshift_fraction,
                np.random.default_rng([segmenter.seed, 4]),
                segmenter.config.meanshift_max_points,
            )
            for e in embeddings
        ]
        for shrink in shrinks:
            records = []
            for labels, truth in zip(clusters, truths, strict=True):
                pred = postprocess(labels, shrink, bandwidth, segmenter.config.min_size_fraction)
                records.append(image_scores(truth, restore_labels(pred, truth.shape)))
            scores = dataset_scores(records)
            rows.append(
                {
                    "bandwidth": float(bandwidth),
                    "shrink": int(shrink),
                    "f1": scores["f1"],
                    "seg": scores["seg"],
                }
            )
            log.info(
                "bandwidth %g shrink %d: F1 %.3f SEG %.3f",
                bandwidth,
                shrink,
                scores["f1"],
                scores["seg"],
            )
    return pd.DataFrame(rows)


def best_parameters(scores: pd.DataFrame, metric: str = "seg") -> tuple[float, int]:
    """Best (bandwidth, shrink) by ``metric``; ties → the other metric, then the smaller values."""
    other = "f1" if metric == "seg" else "seg"
    ranked = scores.sort_values(
        [metric, other, "bandwidth", "shrink"], ascending=[False, False, True, True]
    )
    best = ranked.iloc[0]
    return float(best["bandwidth"]), int(best["shrink"])


def select(
    trained_path: str | Path,
    dataset_root: str | Path,
    out_path: str | Path,
    scores_csv: str | Path,
    *,
    bandwidths: Sequence[float],
    shrinks: Sequence[int],
    inference: dict[str, Any] | None = None,
    scale: float = 1.0,
    metric: str = "seg",
    max_images: int = 8,
    device: str = "auto",
    config_digest: str | None = None,
) -> dict[str, Any]:
    """Choose bandwidth and shrink on the training split; write the final checkpoint + scores.

    ``inference`` (the inference keys of ``methods.cellulus``) replaces those stored at training,
    in the search and in the final checkpoint, so that changing them never retrains.
    """
    checkpoint = read_checkpoint(trained_path)
    segmenter = load(trained_path, device=device)
    if inference:
        segmenter.config = segmenter.config.model_copy(update=inference)
        checkpoint = {**checkpoint, "config": segmenter.config.to_dict()}
    dataset = PreparedDataset(dataset_root)
    ids = selection_images(dataset, max_images)
    log.info(
        "selecting bandwidth/shrink on %d training images of %s at scale %g",
        len(ids),
        dataset.name,
        scale,
    )
    scores = grid_scores(
        segmenter,
        [dataset.image(i) for i in ids],
        [dataset.labels(i) for i in ids],
        bandwidths,
        shrinks,
        scale,
    )
    bandwidth, shrink = best_parameters(scores, metric)
    log.info("chosen bandwidth %g, shrink %d", bandwidth, shrink)
    checkpoint = {
        **checkpoint,
        "bandwidth": bandwidth,
        "shrink": shrink,
        "scale": scale,
        "selection": {
            "metric": metric,
            "split": "train",
            "images": ids,
            "scores": scores.to_dict("records"),
            "diagnostics": segmenter.diagnostics(),
            "provenance": provenance(
                config_digest=config_digest,
                seed=int(checkpoint["seed"]),
                device=str(segmenter.device),
            ),
        },
    }
    with atomic_path(scores_csv) as tmp:
        scores.to_csv(tmp, index=False)
    save_checkpoint(out_path, checkpoint)
    return checkpoint
