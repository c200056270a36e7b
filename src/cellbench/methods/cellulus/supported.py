"""Supported supervision of paper 001, §4.2 / Fig. 5 / Appendix B.

For an annotation fraction f, a random f of all ground-truth objects of the training split is
"annotated". Sparse set: only those objects, with the ground-truth background within
``background_radius`` (30) px of them marked as annotated background; nothing else counts.
Pseudo set: the cellulus segmentation of the training image, with every predicted object that
overlaps an annotated object replaced by the annotation; every pixel counts. A StarDist-style
network is trained on mini-batches of half sparse and half pseudo crops with
L = (1 − α) L_sparse + α L_pseudo (α = 0: classical supervision on the sparse set only), then
scored on the test split with the shared metrics (F1@0.5, SEG). Repeats draw new annotations.
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
from cellbench.methods.cellulus.segmenter import load
from cellbench.methods.cellulus.stardist import (
    StarDistNet,
    decode,
    object_probability,
    star_distances,
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


def crop_batch(
    samples: list[Sample], count: int, size: int, rng: np.random.Generator
) -> list[torch.Tensor]:
    """Random crops (image, prob, dist, mask) of ``count`` samples, reflect-padded if small."""
    parts: list[list[np.ndarray]] = [[], [], [], []]
    for index in rng.integers(0, len(samples), size=count):
        s = samples[index]
        arrays = [s.image, s.prob[None], s.dist, s.mask[None]]
        _, height, width = s.image.shape
        pad_y, pad_x = max(0, size - height), max(0, size - width)
        if pad_y or pad_x:
            arrays = [np.pad(a, ((0, 0), (0, pad_y), (0, pad_x))) for a in arrays]
            height, width = height + pad_y, width + pad_x
        y = int(rng.integers(0, height - size + 1))
        x = int(rng.integers(0, width - size + 1))
        for part, array in zip(parts, arrays, strict=True):
            part.append(array[:, y : y + size, x : x + size])
    image, prob, dist, mask = (torch.from_numpy(np.stack(p).astype(np.float32)) for p in parts)
    return [image, prob[:, 0], dist, mask[:, 0]]


def train_stardist(
    sparse: list[Sample],
    pseudo: list[Sample],
    alpha: float,
    config: SupportedConfig,
    seed: int,
    device: torch.device,
) -> StarDistNet:
    """Half sparse / half pseudo batches, L = (1 − α) L_sparse + α L_pseudo (Appendix B)."""
    from cellbench.methods.cellulus.stardist import stardist_loss

    seed_everything(seed)
    rng = np.random.default_rng([seed, 5])
    model = StarDistNet(
        sparse[0].image.shape[0],
        config.n_rays,
        config.num_fmaps,
        config.fmap_inc_factor,
        config.depth,
    )
    model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, list(config.lr_milestones), 0.1)
    annotated = [s for s in sparse if s.mask.any()] or sparse
    half = config.batch_size // 2
    for _ in range(config.epochs):
        for _ in range(config.iterations_per_epoch):
            if alpha == 0:
                batch = [
                    t.to(device)
                    for t in crop_batch(annotated, config.batch_size, config.crop_size, rng)
                ]
                loss = stardist_loss(model(batch[0]), *batch[1:], dist_weight=config.dist_weight)
            else:
                a = [t.to(device) for t in crop_batch(annotated, half, config.crop_size, rng)]
                b = [
                    t.to(device)
                    for t in crop_batch(pseudo, config.batch_size - half, config.crop_size, rng)
                ]
                loss = (1 - alpha) * stardist_loss(
                    model(a[0]), *a[1:], dist_weight=config.dist_weight
                )
                loss = loss + alpha * stardist_loss(
                    model(b[0]), *b[1:], dist_weight=config.dist_weight
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        scheduler.step()
    return model.eval()


@torch.no_grad()
def predict_stardist(
    model: StarDistNet, image: np.ndarray, config: SupportedConfig, device: torch.device
) -> np.ndarray:
    output = model(torch.from_numpy(image[None]).to(device))[0].cpu().numpy()
    prob = 1 / (1 + np.exp(-output[0]))
    return decode(prob, output[1:], config.prob_threshold, config.nms_overlap)


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
    rows = []
    for fraction in config.fractions:
        for repeat in range(config.repeats):
            rng = np.random.default_rng([seed, repeat, round(fraction * 1e6)])
            chosen = sample_objects(truths, fraction, rng)
            sparse, pseudo = [], []
            for image, truth, pred, ids in zip(images, truths, predictions, chosen, strict=True):
                labels, mask = sparse_labels(truth, ids, config.background_radius)
                sparse.append(make_sample(image, labels, mask, config.n_rays))
                pseudo.append(
                    make_sample(
                        image,
                        pseudo_labels(pred, truth, ids),
                        np.ones(truth.shape, np.float32),
                        config.n_rays,
                    )
                )
            for alpha in config.alphas:
                model = train_stardist(sparse, pseudo, alpha, config, seed + repeat, torch_device)
                records = [
                    image_scores(t, predict_stardist(model, im, config, torch_device))
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
                        "seed": seed + repeat,
                    }
                )
                log.info(
                    "fraction %g repeat %d alpha %g: F1 %.3f SEG %.3f",
                    fraction,
                    repeat,
                    alpha,
                    scores["f1"],
                    scores["seg"],
                )
    table = pd.DataFrame(rows)
    table.attrs["config"] = config.to_dict()
    with atomic_path(out_csv) as tmp:
        table.to_csv(tmp, index=False)
    return table
