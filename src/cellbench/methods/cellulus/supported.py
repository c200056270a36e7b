"""Supported supervision of paper 001, §4.2 / Fig. 5 / Appendix B.

For an annotation fraction f, a random f of all ground-truth objects of the training split is
"annotated". Sparse set: only those objects, with the ground-truth background within
``background_radius`` (30) px of them marked as annotated background; nothing else counts.
Pseudo set: the cellulus segmentation of the training image, with every predicted object that
overlaps an annotated object replaced by the annotation; every pixel counts. A StarDist-style
network is trained on mini-batches of half sparse and half pseudo crops with
L = (1 − α) L_sparse + α L_pseudo (α = 0: classical supervision on the sparse set only), then
scored on the test split with the shared metrics (F1@0.5, SEG) at the probability threshold
chosen on the annotated training objects (StarDist's threshold optimisation). Repeats draw new
annotations. Targets of every training image are computed once, for all ground-truth and all
cellulus objects; each set's targets are selections of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy import ndimage as ndi

from cellbench.data.layout import PreparedDataset
from cellbench.device import seed_everything, select_device
from cellbench.io import atomic_path
from cellbench.methods.cellulus.config import Fig5Config
from cellbench.methods.cellulus.data import normalise
from cellbench.methods.cellulus.model import output_size, valid_input_size
from cellbench.methods.cellulus.segmenter import load
from cellbench.methods.cellulus.stardist import (
    StarDistNet,
    at_threshold,
    decode_scored,
    object_probability,
    star_distances,
    stardist_loss,
)

log = logging.getLogger(__name__)

SupportedConfig = Fig5Config
"""The Fig. 5 settings (``methods.cellulus.fig5``)."""


@dataclass
class Sample:
    image: np.ndarray  # (C, H, W) normalised
    prob: np.ndarray  # (H, W)
    dist: np.ndarray  # (n_rays, H, W)
    mask: np.ndarray  # (H, W) float32, 1 = annotated


def sample_objects(
    truths: list[np.ndarray], fraction: float, rng: np.random.Generator
) -> list[set[int]]:
    """Randomly annotated object ids per image: round(fraction × all objects), at least one."""
    pool = [
        (i, int(label)) for i, truth in enumerate(truths) for label in np.unique(truth) if label
    ]
    count = max(1, round(fraction * len(pool)))
    picks = rng.choice(len(pool), size=min(count, len(pool)), replace=False)
    chosen: list[set[int]] = [set() for _ in truths]
    for index in picks:
        image, label = pool[index]
        chosen[image].add(label)
    return chosen


def sparse_labels(
    truth: np.ndarray, chosen: set[int], radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Annotated objects only, and the mask (objects + GT background within ``radius``)."""
    keep = np.isin(truth, list(chosen)) & (truth > 0)
    labels = np.where(keep, truth, 0)
    if not keep.any():
        return labels.astype(np.int64), np.zeros(truth.shape, dtype=np.float32)
    near = ndi.distance_transform_edt(~keep) < radius
    mask = keep | (near & (truth == 0))
    return labels.astype(np.int64), mask.astype(np.float32)


def pseudo_labels(prediction: np.ndarray, truth: np.ndarray, chosen: set[int]) -> np.ndarray:
    """cellulus prediction with the objects overlapping an annotation replaced by the annotation."""
    keep = np.isin(truth, list(chosen)) & (truth > 0)
    overlapping = np.unique(prediction[keep])
    labels = np.where(np.isin(prediction, overlapping[overlapping > 0]), 0, prediction).astype(
        np.int64
    )
    offset = int(labels.max())
    labels[keep] = truth[keep].astype(np.int64) + offset
    return labels


def make_sample(image: np.ndarray, labels: np.ndarray, mask: np.ndarray, n_rays: int) -> Sample:
    return Sample(image, object_probability(labels), star_distances(labels, n_rays), mask)


def select_objects(sample: Sample, keep: np.ndarray, mask: np.ndarray) -> Sample:
    """The targets of ``sample`` on the pixels ``keep`` only (0 elsewhere), with ``mask``.

    Probability and ray distances of an object depend on its own pixels only (the rays and the
    per-object distance transform stop at any other label), so the targets of a subset of
    objects are those of the full labelling restricted to them.
    """
    return Sample(
        sample.image, np.where(keep, sample.prob, 0), np.where(keep, sample.dist, 0), mask
    )


def merge_objects(first: Sample, second: Sample, use_first: np.ndarray) -> Sample:
    """Targets of ``first`` where ``use_first``, of ``second`` elsewhere; everything annotated."""
    return Sample(
        first.image,
        np.where(use_first, first.prob, second.prob),
        np.where(use_first, first.dist, second.dist),
        np.ones(use_first.shape, np.float32),
    )


def sparse_sample(full: Sample, truth: np.ndarray, chosen: set[int], radius: float) -> Sample:
    """The sparse set's sample from the targets of all ground-truth objects (``full``)."""
    labels, mask = sparse_labels(truth, chosen, radius)
    return select_objects(full, labels > 0, mask)


def pseudo_sample(
    full: Sample, predicted: Sample, prediction: np.ndarray, truth: np.ndarray, chosen: set[int]
) -> Sample:
    """The pseudo set's sample (same labels as :func:`pseudo_labels`) from precomputed targets."""
    labels = pseudo_labels(prediction, truth, chosen)
    annotated = np.isin(truth, list(chosen)) & (truth > 0)
    kept = (labels > 0) & ~annotated
    return merge_objects(full, select_objects(predicted, kept, predicted.mask), annotated)


def crop_batch(
    samples: list[Sample], count: int, size: int, rng: np.random.Generator, context: int = 0
) -> list[torch.Tensor]:
    """Random crops of ``count`` samples: targets (prob, dist, mask) of side ``size`` and the
    image around them with ``context`` more pixels per side (side ``size + 2·context``; the
    image is reflect-padded beyond its border, the targets zero-padded if smaller than ``size``),
    each containing a random annotated pixel of its sample.
    """
    parts: list[list[np.ndarray]] = [[], [], [], []]
    for index in rng.integers(0, len(samples), size=count):
        s = samples[index]
        targets = [s.prob[None], s.dist, s.mask[None]]
        _, height, width = s.image.shape
        pad_y, pad_x = max(0, size - height), max(0, size - width)
        image = np.pad(s.image, ((0, 0), (0, pad_y), (0, pad_x)))
        if pad_y or pad_x:
            targets = [np.pad(a, ((0, 0), (0, pad_y), (0, pad_x))) for a in targets]
            height, width = height + pad_y, width + pad_x
        if context:
            mode = "reflect" if context < min(height, width) else "edge"
            image = np.pad(image, ((0, 0), (context, context), (context, context)), mode=mode)
        # Around a random annotated pixel: with sparse annotations most uniform crops would
        # hold no annotated pixel and add nothing to the loss.
        annotated = np.flatnonzero(targets[2][0])
        py, px = divmod(int(rng.choice(annotated)), width) if len(annotated) else (0, 0)
        y = int(rng.integers(max(0, py - size + 1), min(py, height - size) + 1))
        x = int(rng.integers(max(0, px - size + 1), min(px, width - size) + 1))
        parts[0].append(image[:, y : y + size + 2 * context, x : x + size + 2 * context])
        for part, array in zip(parts[1:], targets, strict=True):
            part.append(array[:, y : y + size, x : x + size])
    image, prob, dist, mask = (torch.from_numpy(np.stack(p).astype(np.float32)) for p in parts)
    return [image, prob[:, 0], dist, mask[:, 0]]


def mean_distance(samples: list[Sample]) -> float:
    """Mean ray distance over the annotated object pixels (the distance heads' initial value)."""
    values = [s.dist[:, (s.prob > 0) & (s.mask > 0)] for s in samples]
    pooled = np.concatenate([v.ravel() for v in values])
    return float(pooled.mean()) if pooled.size else 0.0


def train_stardist(
    sparse: list[Sample],
    pseudo: list[Sample],
    alpha: float,
    config: SupportedConfig,
    seed: int,
    device: torch.device,
) -> tuple[StarDistNet, list[float]]:
    """Half sparse / half pseudo batches, L = (1 − α) L_sparse + α L_pseudo (Appendix B).

    Returns the network (in eval mode) and its mean training loss per epoch.
    """
    seed_everything(seed)
    rng = np.random.default_rng([seed, 5])
    annotated = [s for s in sparse if s.mask.any()] or sparse
    model = StarDistNet(
        sparse[0].image.shape[0],
        config.n_rays,
        config.num_fmaps,
        config.fmap_inc_factor,
        config.depth,
        batch_norm=config.batch_norm,
        dist_bias=mean_distance(annotated) if config.init_distances else 0.0,
    )
    model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, list(config.lr_milestones), 0.1)
    half = config.batch_size // 2

    # Crops of the valid input side ≥ crop_size: the loss covers the network's output, with the
    # true image around it as context (no padding inside the image).
    in_size = valid_input_size(config.crop_size, config.depth)
    out_size = output_size(in_size, config.depth)
    assert out_size is not None
    context = (in_size - out_size) // 2

    def loss_on(samples: list[Sample], count: int) -> torch.Tensor:
        batch = crop_batch(samples, count, out_size, rng, context)
        image, *targets = (t.to(device) for t in batch)
        return stardist_loss(model.unet(image), *targets, dist_weight=config.dist_weight)

    epoch_losses = []
    for _ in range(config.epochs):
        total = 0.0
        for _ in range(config.iterations_per_epoch):
            if alpha == 0:
                loss = loss_on(annotated, config.batch_size)
            else:
                loss = (1 - alpha) * loss_on(annotated, half)
                loss = loss + alpha * loss_on(pseudo, config.batch_size - half)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item()
        epoch_losses.append(total / config.iterations_per_epoch)
        scheduler.step()
    return model.eval(), epoch_losses


@torch.no_grad()
def predict_scored(
    model: StarDistNet, image: np.ndarray, config: SupportedConfig, device: torch.device
) -> tuple[np.ndarray, np.ndarray]:
    """Labels decoded at the lowest candidate threshold, and each label's probability."""
    output = model(torch.from_numpy(image[None]).to(device))[0].cpu().numpy()
    prob = 1 / (1 + np.exp(-output[0]))
    lowest = min(min(THRESHOLDS), config.prob_threshold)
    return decode_scored(prob, output[1:], lowest, config.nms_overlap)


def predict_stardist(
    model: StarDistNet,
    image: np.ndarray,
    config: SupportedConfig,
    device: torch.device,
    threshold: float | None = None,
) -> np.ndarray:
    """Labels of one image at ``threshold`` (default: the configured ``prob_threshold``)."""
    labels, scores = predict_scored(model, image, config, device)
    return at_threshold(labels, scores, config.prob_threshold if threshold is None else threshold)


THRESHOLDS = tuple(np.round(np.arange(0.1, 0.91, 0.05), 2))
"""Candidate probability thresholds of :func:`choose_threshold`."""


def choose_threshold(
    model: StarDistNet,
    sparse: list[Sample],
    truths: list[np.ndarray],
    config: SupportedConfig,
    device: torch.device,
) -> float:
    """Probability threshold with the best F1@0.5 on annotated training images (StarDist's
    ``optimize_thresholds``, for the probability only and on training instead of validation
    images, since the annotations are all the experiment has).

    Up to ``config.threshold_images`` training images with the most annotated objects; only the
    annotated objects count as ground truth and only predicted objects lying mostly in the
    annotated area (objects + nearby background) are scored. Ties go to the lower threshold.
    """
    from cellbench.metrics.matching import matching_dataset

    ranked = sorted(
        range(len(sparse)), key=lambda i: -len(np.unique(truths[i][sparse[i].prob > 0]))
    )
    chosen = [i for i in ranked[: config.threshold_images] if sparse[i].mask.any()]
    if not chosen:
        return config.prob_threshold
    gts, decoded = [], []
    for index in chosen:
        sample = sparse[index]
        labels, scores = predict_scored(model, sample.image, config, device)
        inside = ndi.mean(sample.mask, labels, index=np.arange(len(scores)))
        scores = np.where(inside > 0.5, scores, 0.0)  # outside the annotated area: not scored
        gts.append(np.where(sample.prob > 0, truths[index], 0))
        decoded.append((labels, scores))
    f1 = []
    for threshold in THRESHOLDS:
        preds = [at_threshold(labels, scores, threshold) for labels, scores in decoded]
        f1.append(matching_dataset(gts, preds, thresh=0.5).f1)
    return float(THRESHOLDS[int(np.argmax(f1))])


def supported_supervision(
    cellulus_model: str | Path,
    dataset_root: str | Path,
    out_csv: str | Path,
    config: SupportedConfig,
    *,
    seed: int = 0,
    device: str = "auto",
) -> pd.DataFrame:
    """Run the Fig. 5 grid (fractions × repeats × α) and write one row per trained network."""
    from cellbench.metrics import dataset_scores, image_scores

    torch_device = select_device(device)
    dataset = PreparedDataset(dataset_root)
    train_ids = dataset.evaluation_ids("train")
    test_ids = dataset.evaluation_ids("test")
    segmenter = load(cellulus_model, device=device)
    raw = [dataset.image(i) for i in train_ids]
    images = [normalise(r) for r in raw]
    truths = [dataset.labels(i).astype(np.int64) for i in train_ids]
    predictions = [segmenter.segment(r).astype(np.int64) for r in raw]
    test_images = [normalise(dataset.image(i)) for i in test_ids]
    test_truths = [dataset.labels(i) for i in test_ids]
    if config.threads:
        torch.set_num_threads(min(config.threads, torch.get_num_threads()))
    full = [
        make_sample(im, t, np.ones(t.shape, np.float32), config.n_rays)
        for im, t in zip(images, truths, strict=True)
    ]
    predicted = [
        make_sample(im, p, np.ones(p.shape, np.float32), config.n_rays)
        for im, p in zip(images, predictions, strict=True)
    ]
    rows = []
    for fraction in config.fractions:
        for repeat in range(config.repeats):
            rng = np.random.default_rng([seed, repeat, round(fraction * 1e6)])
            chosen = sample_objects(truths, fraction, rng)
            sparse = [
                sparse_sample(f, t, ids, config.background_radius)
                for f, t, ids in zip(full, truths, chosen, strict=True)
            ]
            pseudo = [
                pseudo_sample(f, p, pred, t, ids)
                for f, p, pred, t, ids in zip(
                    full, predicted, predictions, truths, chosen, strict=True
                )
            ]
            for alpha in config.alphas:
                model, losses = train_stardist(
                    sparse, pseudo, alpha, config, seed + repeat, torch_device
                )
                threshold = (
                    choose_threshold(model, sparse, truths, config, torch_device)
                    if config.optimize_threshold
                    else config.prob_threshold
                )
                records = [
                    image_scores(t, predict_stardist(model, im, config, torch_device, threshold))
                    for im, t in zip(test_images, test_truths, strict=True)
                ]
                scores = dataset_scores(records)
                rows.append(
                    {
                        "dataset": dataset.name,
                        "fraction": fraction,
                        "repeat": repeat,
                        "alpha": alpha,
                        "annotated_objects": sum(len(c) for c in chosen),
                        "f1": scores["f1"],
                        "seg": scores["seg"],
                        "n_pred": scores["n_pred"],
                        "n_gt": scores["n_gt"],
                        "prob_threshold": threshold,
                        "loss_first_epoch": losses[0],
                        "loss_last_epoch": losses[-1],
                        "seed": seed + repeat,
                    }
                )
                log.info(
                    "fraction %g repeat %d alpha %g: loss %.3f → %.3f, threshold %.2f, "
                    "F1 %.3f SEG %.3f (%d objects for %d)",
                    fraction,
                    repeat,
                    alpha,
                    losses[0],
                    losses[-1],
                    threshold,
                    scores["f1"],
                    scores["seg"],
                    scores["n_pred"],
                    scores["n_gt"],
                )
    table = pd.DataFrame(rows)
    table.attrs["config"] = config.to_dict()
    with atomic_path(out_csv) as tmp:
        table.to_csv(tmp, index=False)
    return table
