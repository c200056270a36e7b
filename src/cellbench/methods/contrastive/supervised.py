"""Baseline: the confidence network trained with labels (paper §3.2, "CNN" row of Table 2).

The paper gives neither loss nor schedule; here: one output channel, binary cross-entropy on
the foreground masks, the CSL crops and batch size, Adam (``cnn_learning_rate``, the CSL weight
decay) for ``cnn_epochs`` epochs, best epoch by training Dice as for CSL.
"""

from __future__ import annotations

import copy
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from cellbench.device import seed_everything, select_device
from cellbench.methods.contrastive.checkpoint import save_checkpoint
from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.model import ConfidenceNetwork, count_parameters
from cellbench.methods.contrastive.select import channel_dice
from cellbench.methods.contrastive.train import architecture, selection_subset
from cellbench.methods.contrastive.trainset import TrainSet, load_trainset, random_crops
from cellbench.provenance import provenance

log = logging.getLogger(__name__)


def train_cnn(
    trainset: TrainSet, cfg: ContrastiveConfig, seed: int, device: str = "auto"
) -> dict[str, Any]:
    """Supervised training; returns the checkpoint record of the best training-Dice epoch."""
    dev = select_device(device)
    rng = seed_everything(seed)
    model = ConfidenceNetwork(
        trainset.in_channels, 1, cfg.width, cfg.dilations, cfg.norm_statistics
    ).to(dev)
    optimiser = torch.optim.Adam(
        model.parameters(), lr=cfg.cnn_learning_rate, weight_decay=cfg.weight_decay
    )
    sel_images, sel_masks = selection_subset(trainset, cfg, seed)
    history: dict[str, list] = {"dice": [], "loss": [], "seconds": []}
    best: dict[str, Any] = {"dice": -1.0}
    start = time.perf_counter()
    n = len(trainset.images)
    for epoch in range(1, cfg.cnn_epochs + 1):
        model.train()
        order = rng.permutation(n)
        losses = []
        for first in range(0, n, cfg.batch_size):
            batch, target = random_crops(
                trainset, order[first : first + cfg.batch_size], cfg.crop_size, rng, True
            )
            loss = F.binary_cross_entropy_with_logits(model.logits(batch.to(dev)), target.to(dev))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        dice = float(channel_dice(model, sel_images, sel_masks, cfg.threshold, dev)[0])
        elapsed = time.perf_counter() - start
        history["dice"].append(dice)
        history["loss"].append(float(np.mean(losses)))
        history["seconds"].append(elapsed)
        if dice > best["dice"]:
            best = {
                "dice": dice,
                "epoch": epoch,
                "state": copy.deepcopy(model.state_dict()),
                "seconds": elapsed,
            }
        log.info("epoch %d: BCE %.4f, training Dice %.4f", epoch, history["loss"][-1], dice)
    return {
        "kind": "cnn",
        "architecture": architecture(cfg, trainset.in_channels, 1),
        "state_dict": best["state"],
        "channel": 0,
        "epoch": best["epoch"],
        "train_dice": best["dice"],
        "useful": best["dice"] > 0,
        "seconds_to_best": best["seconds"],
        "seconds_total": time.perf_counter() - start,
        "n_parameters": count_parameters(model),
        "threshold": cfg.threshold,
        "epsilon": cfg.epsilon,
        "history": history,
        "train_images": trainset.image_ids,
        "seed": seed,
        "device": str(dev),
    }


def train(
    dataset_root: str | Path,
    out_path: str | Path,
    cfg: ContrastiveConfig,
    device: str = "auto",
    config_digest: str | None = None,
) -> Path:
    """Train the CNN baseline on the ``train`` split (seed ``cfg.cnn_seed``)."""
    trainset = load_trainset(dataset_root, cfg.epsilon, cfg.crop_size, cfg.scale, split="train")
    record = train_cnn(trainset, cfg, cfg.cnn_seed, device)
    record.update(opening_radius=cfg.opening_radius, closing_radius=cfg.closing_radius)
    record["provenance"] = provenance(config_digest=config_digest, seed=cfg.cnn_seed, device=device)
    return save_checkpoint(out_path, record)
