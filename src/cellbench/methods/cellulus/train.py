"""Self-supervised training of the OCE network (paper 001, §3.1 and Appendix A).

Adam (lr 4e-5), batches of 8 random 252² crops of the normalised training images, OCE loss of
eq. 5 on pairs drawn per crop, learning rate ÷10 after epochs 20 and 30. No labels are read.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cellbench.device import seed_everything, select_device
from cellbench.io import atomic_path
from cellbench.methods.cellulus.config import CellulusConfig
from cellbench.methods.cellulus.data import load_split, random_batch
from cellbench.methods.cellulus.loss import oce_loss, sample_pairs
from cellbench.methods.cellulus.model import MiniUNet, output_size
from cellbench.provenance import provenance

log = logging.getLogger(__name__)


def build_model(config: CellulusConfig, in_channels: int) -> MiniUNet:
    return MiniUNet(in_channels, 2, config.num_fmaps, config.fmap_inc_factor, depth=1)


def pair_batch(
    batch_size: int, size: int, config: CellulusConfig, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Anchors and partners (B, N, 2), drawn independently for every crop of a batch."""
    pairs = [
        sample_pairs(
            size, size, config.anchor_fraction, config.kappa, rng, config.partners_per_anchor
        )
        for _ in range(batch_size)
    ]
    anchors = torch.from_numpy(np.stack([a for a, _ in pairs]))
    partners = torch.from_numpy(np.stack([p for _, p in pairs]))
    return anchors, partners


def train_model(
    images: list[np.ndarray],
    config: CellulusConfig,
    *,
    seed: int,
    device: torch.device,
    mixed_precision: bool = False,
) -> tuple[MiniUNet, dict[str, Any]]:
    """Train on normalised (C, H, W) images; return the model and a training record."""
    seed_everything(seed)
    crop_rng = np.random.default_rng([seed, 1])
    pair_rng = np.random.default_rng([seed, 2])
    model = build_model(config, images[0].shape[0]).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(
        optimizer, milestones=list(config.lr_milestones), gamma=config.lr_gamma
    )
    out = output_size(config.crop_size)
    assert out is not None  # checked by CellulusConfig
    use_amp = mixed_precision and device.type == "cuda"
    losses: list[float] = []
    start = time.perf_counter()
    model.train()
    for epoch in range(config.epochs):
        epoch_losses = []
        for _ in range(config.iterations_per_epoch):
            batch = torch.from_numpy(
                random_batch(images, config.batch_size, config.crop_size, crop_rng)
            )
            anchors, partners = pair_batch(config.batch_size, out, config, pair_rng)
            with torch.autocast(device.type, enabled=use_amp):
                offsets = model(batch.to(device))
            loss = oce_loss(
                offsets.float(),
                anchors.to(device),
                partners.to(device),
                tau=config.tau,
                reg_lambda=config.reg_lambda,
                variant=config.loss_variant,
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            epoch_losses.append(float(loss.detach()))
        scheduler.step()
        losses.append(float(np.mean(epoch_losses)))
        log.info("epoch %d/%d: loss %.5f", epoch + 1, config.epochs, losses[-1])
    elapsed = time.perf_counter() - start
    iterations = config.epochs * config.iterations_per_epoch
    record = {
        "epoch_losses": losses,
        "loss_flat": loss_flat(losses, config.min_loss_decrease),
        "iterations": iterations,
        "seconds": elapsed,
        "iterations_per_second": iterations / elapsed if elapsed > 0 else float("nan"),
    }
    log.info(
        "trained %d iterations in %.1f s (%.3f it/s)",
        iterations,
        elapsed,
        record["iterations_per_second"],
    )
    return model, record


def loss_flat(losses: list[float], min_decrease: float) -> bool:
    """True (and a logged warning) if the last epoch's loss is not ``min_decrease`` below the first.

    A flat OCE loss means the offsets did not become object-specific (e.g. every crop was empty
    background, or the learning rate/budget is too small): the segmentation will fail.
    """
    if len(losses) < 2 or losses[-1] <= (1.0 - min_decrease) * losses[0]:
        return False
    log.warning(
        "CELLULUS TRAINING FAILURE: the loss did not move (first epoch %.5f, last %.5f, less than "
        "%.1f%% lower); the network did not learn object-centric offsets",
        losses[0],
        losses[-1],
        100 * min_decrease,
    )
    return True


def save_checkpoint(path: str | Path, checkpoint: dict[str, Any]) -> None:
    with atomic_path(path) as tmp:
        torch.save(checkpoint, tmp)


def train(
    dataset_root: str | Path,
    out_path: str | Path,
    config: CellulusConfig,
    *,
    seed: int,
    scale: float = 1.0,
    device: str = "auto",
    mixed_precision: bool = False,
    config_digest: str | None = None,
) -> dict[str, Any]:
    """Train on the ``train`` split of a prepared dataset resized by ``scale``; write a checkpoint.

    The checkpoint holds the state_dict, the config, the number of input channels, the training
    split's intensity range (used where ``normalisation`` or ``inference_normalisation`` is
    "dataset"), seed, scale, the training record and provenance;
    :mod:`cellbench.methods.cellulus.select` adds the chosen bandwidth and shrink.
    """
    torch_device = select_device(device)
    ids, images, intensity = load_split(
        str(dataset_root),
        "train",
        scale,
        config.percentile_low,
        config.percentile_high,
        config.normalisation,
    )
    log.info(
        "training cellulus on %d images of %s at scale %g on %s",
        len(ids),
        dataset_root,
        scale,
        torch_device,
    )
    model, record = train_model(
        images, config, seed=seed, device=torch_device, mixed_precision=mixed_precision
    )
    checkpoint = {
        "method": "cellulus",
        "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
        "config": config.to_dict(),
        "in_channels": images[0].shape[0],
        "intensity_range": intensity,
        "seed": seed,
        "scale": scale,
        "bandwidth": config.bandwidth,
        "shrink": config.shrink,
        "training": record,
        "train_images": ids,
        "provenance": provenance(config_digest=config_digest, seed=seed, device=str(torch_device)),
    }
    save_checkpoint(out_path, checkpoint)
    return checkpoint
