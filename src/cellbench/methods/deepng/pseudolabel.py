"""Pseudo-label retraining, paper 000, Section II-C (the clusters come from
:mod:`cellbench.methods.deepng.clustering`).

:func:`retrain_encoder` trains the encoder as a k-class classifier (GAP + linear 2048 → k)
   on the draws with their cluster indices as labels: 20 epochs, random 128² crops, the same
   augmentations, SGD lr 0.01 momentum 0.5, lr ×0.1 every 10 epochs. The decoder of the
   segmentation network is reused unchanged; only the encoder weights change.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cellbench.data.layout import PreparedDataset
from cellbench.device import seed_everything, select_device
from cellbench.methods.deepng.augment import augment, random_crop
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.features import load_pool, make_draw
from cellbench.methods.deepng.images import to_tensor_batch
from cellbench.methods.deepng.model_io import load_model, save_model
from cellbench.methods.deepng.threshold_fit import finish_model
from cellbench.methods.deepng.train_segmentation import autocast
from cellbench.models.resnet_unet import EncoderClassifier

log = logging.getLogger(__name__)


def retrain_encoder(
    model_path: str | Path,
    dataset_root: str | Path,
    features_path: str | Path,
    assignments_path: str | Path,
    out_path: str | Path,
    cfg: DeepNGConfig,
    seed: int,
    *,
    run: str,
    device: str = "auto",
    mixed_precision: bool = False,
    config_digest: str | None = None,
) -> Path:
    """Retrain the encoder on the pseudo-labels; write the U-Net with the new encoder."""
    rng = seed_everything(seed)
    torch_device = select_device(device)
    model, _, base = load_model(model_path, torch_device)
    with np.load(features_path) as data:
        pool_ids = [str(i) for i in data["pool"]]
        feature_seed = int(data["seed"])
    with np.load(assignments_path) as data:
        labels = data["labels"]
        n_clusters = int(data["centroids"].shape[0])
    dataset = PreparedDataset(dataset_root)
    pool = load_pool(dataset, pool_ids, cfg)
    r = cfg.retraining
    steps = r.steps_per_epoch or math.ceil(labels.size / r.batch_size)
    decoder_before = {k: v.clone() for k, v in model.decoder.state_dict().items()}
    classifier = EncoderClassifier(model.encoder, n_clusters).to(torch_device)
    optimizer = torch.optim.SGD(classifier.parameters(), lr=r.lr, momentum=r.momentum)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=r.lr_step, gamma=r.lr_gamma)
    log.info(
        "deepng retrain %s: %d draws, %d clusters, %d epochs × %d steps, %s",
        run,
        labels.size,
        n_clusters,
        r.epochs,
        steps,
        torch_device,
    )
    classifier.train()
    if r.batchnorm == "frozen":
        for module in classifier.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.eval()
    history = []
    for epoch in range(r.epochs):
        order = rng.permutation(labels.size)
        total = 0.0
        for step in range(steps):
            batch = [
                int(order[(step * r.batch_size + b) % labels.size]) for b in range(r.batch_size)
            ]
            images = []
            for index in batch:
                _, image = make_draw(pool, index, feature_seed, cfg)
                image, _ = augment(image, None, rng, cfg.augment)
                image, _ = random_crop(image, None, r.crop, rng)
                images.append(image)
            x = to_tensor_batch(images).to(torch_device)
            y = torch.from_numpy(labels[batch]).to(torch_device)
            with autocast(torch_device, mixed_precision):
                loss = F.cross_entropy(classifier(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
        scheduler.step()
        history.append(total / steps)
        log.info("epoch %d/%d: cross-entropy %.4f", epoch + 1, r.epochs, history[-1])
    for key, value in model.decoder.state_dict().items():
        if not torch.equal(value, decoder_before[key]):
            raise RuntimeError(f"decoder parameter {key} changed during encoder retraining")
    cfg, checks = finish_model(model, dataset, cfg, torch_device)
    return save_model(
        out_path,
        model,
        cfg,
        seed,
        run=run,
        device=str(torch_device),
        config_digest=config_digest,
        extra={
            "history": history,
            "n_clusters": n_clusters,
            "baseline_seed": base["seed"],
            "feature_seed": feature_seed,
            **checks,
        },
    )
