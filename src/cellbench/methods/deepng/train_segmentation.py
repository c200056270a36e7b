"""Segmentation training of paper 000, Section II-C: the baseline network on CT1.

ResNet-50 U-Net, 3-class cross-entropy (background / cell / border), LAMB (lr 1e-3, betas
0.9 / 0.999), batch 8, 50 epochs, random 256² crops (zero-padded), the paper's augmentations.
Only the labelled training images of the known groups (CT1) are used.
"""

from __future__ import annotations

import logging
import math
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cellbench.data.layout import PreparedDataset
from cellbench.device import seed_everything, select_device
from cellbench.errors import InputError
from cellbench.methods.deepng.augment import augment, random_crop
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.images import to_rgb_float, to_tensor_batch
from cellbench.methods.deepng.model_io import save_model
from cellbench.methods.deepng.runs import baseline_name
from cellbench.methods.deepng.targets import three_class_targets
from cellbench.methods.deepng.threshold_fit import finish_model
from cellbench.methods.predict import rescale_image, working_scale
from cellbench.models.resnet_unet import ResNetUNet
from cellbench.optim import Lamb

log = logging.getLogger(__name__)


def load_training_set(
    dataset: PreparedDataset, cfg: DeepNGConfig
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(image, 3-class target) of every labelled training image of the known groups."""
    pairs = []
    scale = working_scale(dataset, cfg.scale)
    for group in cfg.known_groups:
        for image_id in dataset.image_ids(split="train", group=group, labelled=True):
            image = to_rgb_float(dataset.image(image_id), cfg.normalization)
            image = rescale_image(image, scale)
            labels = rescale_image(dataset.labels(image_id), scale, order=0)
            pairs.append((image, three_class_targets(labels, cfg.segmentation.border_width)))
    if not pairs:
        raise InputError(
            dataset.root / "index.tsv",
            f"no labelled training images in groups {list(cfg.known_groups)}",
        )
    return pairs


def autocast(device: torch.device, mixed_precision: bool) -> AbstractContextManager:
    """bfloat16 autocast on CUDA when requested, else a no-op."""
    if mixed_precision and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


def training_batch(
    pairs: list[tuple[np.ndarray, np.ndarray]],
    order: np.ndarray,
    step: int,
    cfg: DeepNGConfig,
    rng: np.random.Generator,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Augmented random crops of the images ``order[step*b : (step+1)*b]`` (cyclically)."""
    images, targets = [], []
    size = cfg.segmentation.batch_size
    for b in range(size):
        image, target = pairs[int(order[(step * size + b) % len(pairs)])]
        image, target = augment(image, target, rng, cfg.augment)
        image, target = random_crop(image, target, cfg.segmentation.crop, rng)
        images.append(image)
        targets.append(target.astype(np.int64))
    return to_tensor_batch(images).to(device), torch.from_numpy(np.stack(targets)).to(device)


def recalibrate_batchnorm(
    model: ResNetUNet,
    pairs: list[tuple[np.ndarray, np.ndarray]],
    cfg: DeepNGConfig,
    rng: np.random.Generator,
    device: torch.device,
) -> None:
    """Re-estimate BatchNorm running statistics with the final weights (cumulative average).

    Off at paper scale; with only a few hundred optimiser steps (CPU configs) the running
    averages lag far behind the weights and inference in eval mode fails without it. The batches
    are training crops without the colour augmentations (inversion, channel swap): statistics
    averaged over inverted and plain crops fit neither, and the network then finds no object on
    plain images in eval mode (issue 19: median P(cell) in nuclei 0.01–0.10 with them, 0.42–0.76
    without, same weights).
    """
    plain_augment = cfg.augment.model_copy(update={"p_invert": 0.0, "p_channel_swap": 0.0})
    plain = cfg.model_copy(update={"augment": plain_augment})
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None
    model.train()
    with torch.no_grad():
        for step in range(cfg.segmentation.bn_recalibration):
            x, _ = training_batch(pairs, rng.permutation(len(pairs)), step, plain, rng, device)
            model(x)
    for norm in norms:
        norm.momentum = 0.1
    log.info("BatchNorm statistics re-estimated on %d batches", cfg.segmentation.bn_recalibration)


def train_segmentation(
    dataset_root: str | Path,
    out_path: str | Path,
    cfg: DeepNGConfig,
    seed: int,
    *,
    device: str = "auto",
    mixed_precision: bool = False,
    config_digest: str | None = None,
) -> Path:
    """Train the baseline segmentation network and write ``model.pt``."""
    rng = seed_everything(seed)
    torch_device = select_device(device)
    dataset = PreparedDataset(dataset_root)
    pairs = load_training_set(dataset, cfg)
    seg = cfg.segmentation
    steps = seg.steps_per_epoch or math.ceil(len(pairs) / seg.batch_size)
    log.info(
        "deepng: training on %d images of %s, %d epochs × %d steps, batch %d, crop %d, %s",
        len(pairs),
        list(cfg.known_groups),
        seg.epochs,
        steps,
        seg.batch_size,
        seg.crop,
        torch_device,
    )
    model = ResNetUNet(encoder=cfg.encoder).to(torch_device)
    optimizer = Lamb(
        model.parameters(),
        lr=seg.lr,
        betas=(seg.beta1, seg.beta2),
        weight_decay=seg.weight_decay,
    )
    history = []
    model.train()
    for epoch in range(seg.epochs):
        order = rng.permutation(len(pairs))
        total = 0.0
        for step in range(steps):
            x, y = training_batch(pairs, order, step, cfg, rng, torch_device)
            with autocast(torch_device, mixed_precision):
                loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
        history.append(total / steps)
        log.info("epoch %d/%d: cross-entropy %.4f", epoch + 1, seg.epochs, history[-1])
    if seg.bn_recalibration:
        recalibrate_batchnorm(model, pairs, cfg, rng, torch_device)
    cfg, checks = finish_model(model, dataset, cfg, torch_device)
    return save_model(
        out_path,
        model,
        cfg,
        seed,
        run=baseline_name(seed),
        device=str(torch_device),
        config_digest=config_digest,
        extra={"history": history, "training_images": len(pairs), **checks},
    )
