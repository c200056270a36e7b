"""Line search of the mean-shift bandwidth and the halo shrink (paper 001, §3.2 and §4).

The paper picks the bandwidth by a line search and the shrink distance in 0–6 px "reporting the
best score". Here both are chosen on the **training** split only (CTC sequence 01), scored with
the shared metrics (:mod:`cellbench.metrics`), so that the held-out test sequence never
influences a parameter. The expensive part (noisy passes) runs once per image; every
(bandwidth, shrink) pair reuses it. Optionally (``min_size_fractions``, not in the paper) the size
filter of the post-processing is then chosen the same way at the chosen bandwidth and shrink.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
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


def embed_images(
    segmenter: CellulusSegmenter, images: Sequence[np.ndarray], scale: float = 1.0
) -> list[np.ndarray]:
    """Noisy-pass embeddings of the images at ``scale`` (the expensive part, run once)."""
    embeddings = [segmenter.embed(rescale_image(image, scale)) for image in images]
    for embedding in embeddings:
        segmenter.check_foreground(embedding)
    return embeddings


def pooled_scores(
    clusters: Sequence[np.ndarray],
    truths: Sequence[np.ndarray],
    bandwidth: float,
    shrink: int,
    min_size_fraction: float,
) -> dict[str, float]:
    """Pooled F1 and SEG of post-processed mean-shift labels against their truths (at scale 1)."""
    from cellbench.metrics import dataset_scores, image_scores

    records = []
    for labels, truth in zip(clusters, truths, strict=True):
        pred = postprocess(labels, shrink, bandwidth, min_size_fraction)
        records.append(image_scores(truth, restore_labels(pred, truth.shape)))
    scores = dataset_scores(records)
    return {"f1": scores["f1"], "seg": scores["seg"]}


def cluster_embeddings(
    segmenter: CellulusSegmenter, embeddings: Sequence[np.ndarray], bandwidth: float
) -> list[np.ndarray]:
    """Mean-shift labels of each embedding at ``bandwidth`` (seeded: the same on every call)."""
    return [
        mean_shift(
            e,
            bandwidth,
            segmenter.config.meanshift_fraction,
            np.random.default_rng([segmenter.seed, 4]),
            segmenter.config.meanshift_max_points,
        )
        for e in embeddings
    ]


def grid_scores(
    segmenter: CellulusSegmenter,
    embeddings: Sequence[np.ndarray],
    truths: Sequence[np.ndarray],
    bandwidths: Sequence[float],
    shrinks: Sequence[int],
) -> pd.DataFrame:
    """Pooled F1 and SEG of every (bandwidth, shrink) on the embedded images (GT at scale 1)."""
    min_size_fraction = segmenter.config.min_size_fraction
    rows = []
    for bandwidth in bandwidths:
        clusters = cluster_embeddings(segmenter, embeddings, bandwidth)
        for shrink in shrinks:
            scores = pooled_scores(clusters, truths, bandwidth, shrink, min_size_fraction)
            rows.append({"bandwidth": float(bandwidth), "shrink": int(shrink), **scores})
            log.info(
                "bandwidth %g shrink %d: F1 %.3f SEG %.3f",
                bandwidth,
                shrink,
                scores["f1"],
                scores["seg"],
            )
    return pd.DataFrame(rows).assign(min_size_fraction=min_size_fraction)


def size_scores(
    segmenter: CellulusSegmenter,
    embeddings: Sequence[np.ndarray],
    truths: Sequence[np.ndarray],
    bandwidth: float,
    shrink: int,
    fractions: Sequence[float],
) -> pd.DataFrame:
    """Pooled F1 and SEG of each size filter at one chosen (bandwidth, shrink)."""
    clusters = cluster_embeddings(segmenter, embeddings, bandwidth)
    rows = []
    for fraction in fractions:
        scores = pooled_scores(clusters, truths, bandwidth, shrink, fraction)
        rows.append(
            {
                "bandwidth": float(bandwidth),
                "shrink": int(shrink),
                **scores,
                "min_size_fraction": float(fraction),
            }
        )
        log.info(
            "size filter %g (bandwidth %g shrink %d): F1 %.3f SEG %.3f",
            fraction,
            bandwidth,
            shrink,
            scores["f1"],
            scores["seg"],
        )
    return pd.DataFrame(rows)


def best_size(scores: pd.DataFrame, metric: str = "seg") -> float:
    """Best size filter by ``metric``; ties → the other metric, then the smaller filter.

    Dropping an object that matches no ground truth leaves SEG exactly unchanged, so under the
    default metric the filter grows only while it removes false objects alone.
    """
    other = "f1" if metric == "seg" else "seg"
    ranked = scores.sort_values(
        [metric, other, "min_size_fraction"], ascending=[False, False, True]
    )
    return float(ranked.iloc[0]["min_size_fraction"])


def best_parameters(scores: pd.DataFrame, metric: str = "seg") -> tuple[float, int]:
    """Best (bandwidth, shrink) by ``metric``; ties → the other metric, then the smaller values."""
    other = "f1" if metric == "seg" else "seg"
    ranked = scores.sort_values(
        [metric, other, "bandwidth", "shrink"], ascending=[False, False, True, True]
    )
    best = ranked.iloc[0]
    return float(best["bandwidth"]), int(best["shrink"])


def extend_search(
    scores: pd.DataFrame,
    score_bandwidth: Callable[[float], pd.DataFrame],
    metric: str,
    max_steps: int,
) -> pd.DataFrame:
    """Continue the line search past the grid while its best bandwidth is on the grid's edge.

    A line search whose best point is the edge of its grid has not bracketed the optimum. Each
    step scores (``score_bandwidth``: rows as :func:`grid_scores`) the bandwidth one outermost
    grid step beyond the best edge (the smallest stays > 0), at most ``max_steps`` times.
    Returns the scores of the extended grid; a best still on the edge is logged as a warning.
    """
    for _ in range(max_steps):
        grid = sorted(scores["bandwidth"].unique())
        best, _ = best_parameters(scores, metric)
        if len(grid) < 2 or best not in (grid[0], grid[-1]):
            break
        if best == grid[-1]:
            candidate = grid[-1] + (grid[-1] - grid[-2])
        elif grid[0] > grid[1] - grid[0]:
            candidate = grid[0] - (grid[1] - grid[0])
        else:
            break
        log.info("best bandwidth %g is on the edge of the grid: trying %g", best, candidate)
        scores = pd.concat([scores, score_bandwidth(float(candidate))], ignore_index=True)
    grid = sorted(scores["bandwidth"].unique())
    best, _ = best_parameters(scores, metric)
    if len(grid) > 1 and best in (grid[0], grid[-1]):
        log.warning(
            "the chosen bandwidth %g is on the edge of the searched bandwidths %s: the optimum may "
            "lie outside (widen methods.cellulus.bandwidths or raise bandwidth_search_steps)",
            best,
            [float(b) for b in grid],
        )
    return scores


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
    search_steps: int = 0,
    min_size_fractions: Sequence[float] = (),
    device: str = "auto",
    config_digest: str | None = None,
) -> dict[str, Any]:
    """Choose bandwidth and shrink on the training split; write the final checkpoint + scores.

    ``inference`` (the inference keys of ``methods.cellulus``) replaces those stored at training,
    in the search and in the final checkpoint, so that changing them never retrains.
    ``search_steps``: bandwidths tried beyond the grid's edge while the best lies on it
    (:func:`extend_search`). ``min_size_fractions``: size filters then searched at the chosen
    bandwidth and shrink (:func:`best_size`); the chosen one replaces ``min_size_fraction``.
    """
    checkpoint = read_checkpoint(trained_path)
    segmenter = load(trained_path, device=device)
    if inference:
        segmenter.config = segmenter.config.model_copy(update=inference)
    dataset = PreparedDataset(dataset_root)
    ids = selection_images(dataset, max_images)
    log.info(
        "selecting bandwidth/shrink on %d training images of %s at scale %g",
        len(ids),
        dataset.name,
        scale,
    )
    embeddings = embed_images(segmenter, [dataset.image(i) for i in ids], scale)
    truths = [dataset.labels(i) for i in ids]
    scores = grid_scores(segmenter, embeddings, truths, bandwidths, shrinks)
    scores = extend_search(
        scores,
        lambda bandwidth: grid_scores(segmenter, embeddings, truths, [bandwidth], shrinks),
        metric,
        search_steps,
    )
    bandwidth, shrink = best_parameters(scores, metric)
    log.info("chosen bandwidth %g, shrink %d", bandwidth, shrink)
    if min_size_fractions:
        sizes = size_scores(segmenter, embeddings, truths, bandwidth, shrink, min_size_fractions)
        fraction = best_size(sizes, metric)
        log.info("chosen size filter %g", fraction)
        segmenter.config = segmenter.config.model_copy(update={"min_size_fraction": fraction})
        scores = pd.concat([scores, sizes], ignore_index=True)
    checkpoint = {
        **checkpoint,
        "config": segmenter.config.to_dict(),
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
