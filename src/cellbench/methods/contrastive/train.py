"""CSL training (paper §3.2): contrastive epochs, best epoch and channel on training labels.

One epoch = one random crop per training image, in batches; per batch the entropy-based
sampler draws patches from the confidence maps and the contrastive loss (Eq. 7–9) is minimised
with Adam. After each epoch every channel's Dice on the training images (threshold 0.5) is
recorded and the best (epoch, channel) is kept.
"""

from __future__ import annotations

import copy
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cellbench.device import seed_everything, select_device
from cellbench.methods.contrastive.checkpoint import save_checkpoint
from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.loss import contrastive_loss
from cellbench.methods.contrastive.model import ConfidenceNetwork, count_parameters
from cellbench.methods.contrastive.sampler import extract, sample_patches, window_scores
from cellbench.methods.contrastive.select import channel_dice
from cellbench.methods.contrastive.trainset import TrainSet, load_trainset, random_crops
from cellbench.provenance import provenance

log = logging.getLogger(__name__)
# Fig. 4 records the window statistics of the first epochs only.
FIG4_EPOCHS = 25


def architecture(cfg: ContrastiveConfig, in_channels: int, channels: int) -> dict[str, Any]:
    return {
        "in_channels": in_channels,
        "channels": channels,
        "width": cfg.width,
        "dilations": list(cfg.dilations),
        "norm_statistics": cfg.norm_statistics,
    }


def selection_window(shape: tuple[int, ...], side: int, rng: np.random.Generator) -> tuple:
    """A ``side``² window at a position drawn from ``rng`` (the whole array when ``side`` is 0
    or too large). Not central: synthetic tiles are denser in the middle, which biased the
    selection towards all-foreground channels."""
    if side == 0 or side >= min(shape[:2]):
        return (slice(None), slice(None))
    y = int(rng.integers(0, shape[0] - side + 1))
    x = int(rng.integers(0, shape[1] - side + 1))
    return (slice(y, y + side), slice(x, x + side))


def selection_subset(trainset: TrainSet, cfg: ContrastiveConfig, seed: int) -> tuple[list, list]:
    """Selection images and masks: the first ``selection_images`` (0 = all), each cropped once
    to ``selection_crop`` at a seeded position (the same crops after every epoch)."""
    limit = cfg.selection_images
    n = len(trainset.images) if limit == 0 else min(limit, len(trainset.images))
    rng = np.random.default_rng(seed)
    windows = [selection_window(im.shape, cfg.selection_crop, rng) for im in trainset.images[:n]]
    return (
        [im[w] for im, w in zip(trainset.images, windows, strict=False)],
        [m[w] for m, w in zip(trainset.masks, windows, strict=False)],
    )


def batch_loss(
    model: ConfidenceNetwork,
    batch: torch.Tensor,
    cfg: ContrastiveConfig,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Confidence maps of one batch of crops and its contrastive loss (Eq. 5–9; None when no
    patch pair could be sampled). Patches are sampled with the CPU ``generator``."""
    conf = model(batch)
    patches = sample_patches(
        conf, cfg.patches, cfg.patch_size, cfg.patch_stride, generator, cfg.min_probability
    )
    feats = extract(batch, conf, _on(patches, batch.device), cfg.patch_size)
    loss = contrastive_loss(
        feats,
        patches.channel.to(batch.device),
        patches.positive.to(batch.device),
        channels=cfg.channels,
        similarity=cfg.similarity,
        variant=cfg.loss_variant,
        n=cfg.patches,
        batch=len(batch),
        generator=generator,
    )
    return conf, loss


def train_csl(
    trainset: TrainSet,
    cfg: ContrastiveConfig,
    seed: int,
    device: str = "auto",
) -> dict[str, Any]:
    """Train one CSL run; returns the checkpoint record of the selected epoch and channel."""
    dev = select_device(device)
    rng = seed_everything(seed)
    generator = torch.Generator().manual_seed(seed)
    model = ConfidenceNetwork(
        trainset.in_channels, cfg.channels, cfg.width, cfg.dilations, cfg.norm_statistics
    ).to(dev)
    optimiser = torch.optim.Adam(
        model.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay
    )
    sel_images, sel_masks = selection_subset(trainset, cfg, seed)
    history: dict[str, list] = {"dice": [], "loss": [], "skipped": [], "seconds": []}
    fig4: dict[str, list] = {"epoch": [], "confidence": [], "entropy": []}
    best: dict[str, Any] = {"dice": -1.0, "epoch": 0, "channel": 0, "state": None}
    start = time.perf_counter()
    n = len(trainset.images)
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        order = rng.permutation(n)
        losses, skipped = [], 0
        for first in range(0, n, cfg.batch_size):
            batch, _ = random_crops(
                trainset, order[first : first + cfg.batch_size], cfg.crop_size, rng
            )
            conf, loss = batch_loss(model, batch.to(dev), cfg, generator)
            if epoch <= FIG4_EPOCHS:
                a, b = window_scores(conf.detach().cpu(), cfg.patch_size, cfg.patch_stride)
                fig4["epoch"].append(epoch)
                fig4["confidence"].append(a.flatten().tolist())
                fig4["entropy"].append(b.flatten().tolist())
            if loss is None or not loss.requires_grad:
                skipped += 1
                continue
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        dice = channel_dice(model, sel_images, sel_masks, cfg.threshold, dev)
        elapsed = time.perf_counter() - start
        history["dice"].append(dice.tolist())
        history["loss"].append(float(np.mean(losses)) if losses else float("nan"))
        history["skipped"].append(skipped)
        history["seconds"].append(elapsed)
        channel = int(np.argmax(dice))
        if dice[channel] > best["dice"]:
            best = {
                "dice": float(dice[channel]),
                "epoch": epoch,
                "channel": channel,
                "state": copy.deepcopy(model.state_dict()),
                "seconds": elapsed,
            }
        log.info(
            "epoch %d: loss %.4g, %d batches skipped, training Dice per channel %s",
            epoch,
            history["loss"][-1],
            skipped,
            np.round(dice, 4).tolist(),
        )
    useful = best["dice"] > 0
    if not useful:
        log.warning(
            "no channel reached a training Dice > 0 in %d epochs: the run is marked "
            "'no useful channel' (channel %d kept only to produce a file)",
            cfg.epochs,
            best["channel"],
        )
    log.info(
        "selected epoch %d, channel %d, training Dice %.4f (%.1f s to that epoch)",
        best["epoch"],
        best["channel"],
        best["dice"],
        best["seconds"],
    )
    return {
        "kind": "csl",
        "architecture": architecture(cfg, trainset.in_channels, cfg.channels),
        "state_dict": best["state"],
        "channel": best["channel"],
        "epoch": best["epoch"],
        "train_dice": best["dice"],
        "useful": useful,
        "seconds_to_best": best["seconds"],
        "seconds_total": time.perf_counter() - start,
        "n_parameters": count_parameters(model),
        "threshold": cfg.threshold,
        "epsilon": cfg.epsilon,
        "history": history,
        "fig4": fig4,
        "train_images": trainset.image_ids,
        "seed": seed,
        "device": str(dev),
    }


def _on(patches, device: torch.device):
    """Patch indices on ``device`` (indexing a CUDA tensor with CPU indices is allowed too)."""
    if device.type == "cpu":
        return patches
    return type(patches)(
        **{k: getattr(patches, k).to(device) for k in patches.__dataclass_fields__}
    )


def train(
    dataset_root: str | Path,
    out_path: str | Path,
    cfg: ContrastiveConfig,
    seed: int,
    device: str = "auto",
    config_digest: str | None = None,
) -> Path:
    """Train on the ``train`` split of a prepared dataset and write the checkpoint."""
    trainset = load_trainset(dataset_root, cfg.epsilon, cfg.crop_size, cfg.scale, split="train")
    log.info(
        "contrastive: %d training images, K=%d, %s similarity, %s loss, seed %d",
        len(trainset.images),
        cfg.channels,
        cfg.similarity,
        cfg.loss_variant,
        seed,
    )
    record = train_csl(trainset, cfg, seed, device)
    record.update(opening_radius=cfg.opening_radius, closing_radius=cfg.closing_radius)
    record["provenance"] = provenance(config_digest=config_digest, seed=seed, device=device)
    return save_checkpoint(out_path, record)
