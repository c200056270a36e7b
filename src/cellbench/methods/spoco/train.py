"""spoco training (paper §3, App. A.1): one network f, its EMA twin g, the mode's losses.

Per image of a batch: full / dense_fraction → discriminative loss over all objects and the
background + instance Dice over the objects (Eq. 5); discriminative → Eq. 1–2 only; sparse@p →
discriminative loss and instance Dice over the kept objects, unlabeled push (Eq. 6) and the
consistency term against g (Eq. 7). Adam, LR × ``lr_factor`` after ``patience`` checks without
improvement of the mean loss, stop at ``min_lr`` or after ``iterations``.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cellbench.data.layout import PreparedDataset
from cellbench.device import seed_everything, select_device
from cellbench.errors import InputError
from cellbench.io import atomic_path
from cellbench.methods.contract import working_scale
from cellbench.methods.predict import rescale_image
from cellbench.methods.spoco import losses
from cellbench.methods.spoco.augment import geometric, photometric
from cellbench.methods.spoco.config import SpocoConfig, parse_mode
from cellbench.methods.spoco.model import EmbeddingUNet, ema_update, zscore
from cellbench.methods.spoco.sampling import UNLABELED, build_targets
from cellbench.provenance import provenance

log = logging.getLogger(__name__)


def to_unit(image: np.ndarray) -> torch.Tensor:
    """(C, H, W) float32 in [0, 1] from a (H, W) or (H, W, C) image (per-image min-max)."""
    img = np.asarray(image, dtype=np.float32)
    img = img[..., None] if img.ndim == 2 else img
    low, high = float(img.min()), float(img.max())
    img = (img - low) / (high - low) if high > low else np.zeros_like(img)
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))


def load_training_data(
    dataset_root: str | Path, scale: float
) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """Images and labels of the labelled, completely annotated train split, resized by ``scale``."""
    dataset = PreparedDataset(dataset_root)
    ids = [i for i in dataset.evaluation_ids("train")]
    if not ids:
        raise InputError(
            dataset.root / "index.tsv", "no labelled, complete images in split 'train'"
        )
    images = [rescale_image(dataset.image(i), scale) for i in ids]
    labels = [rescale_image(dataset.labels(i), scale, order=0) for i in ids]
    return images, labels, ids


def _stack(target: torch.Tensor, ids: list[int]) -> torch.Tensor:
    """(len(ids), H, W) boolean masks of the given target ids."""
    if not ids:
        return torch.zeros((0, *target.shape), dtype=torch.bool, device=target.device)
    return target[None] == torch.tensor(ids, device=target.device)[:, None, None]


def image_loss(
    f: torch.Tensor,
    g: torch.Tensor | None,
    target: torch.Tensor,
    kind: str,
    cfg: SpocoConfig,
    gen: torch.Generator,
) -> dict[str, torch.Tensor]:
    """Loss terms of one image: f, g (D, H, W) embeddings, target (H, W) (−1 unlabeled)."""
    ids = [int(k) for k in torch.unique(target) if k != UNLABELED]
    dl_ids = (
        ids if kind in ("full", "discriminative", "dense_fraction") else [k for k in ids if k > 0]
    )
    masks = _stack(target, dl_ids)
    terms = {
        "dl": losses.discriminative_loss(
            f, masks, cfg.delta_v, cfg.delta_d, cfg.alpha, cfg.beta, cfg.gamma
        )
    }
    if kind == "discriminative":
        return terms
    objects = _stack(
        target, [k for k in ids if k > 0]
    )  # the background never enters the instance Dice
    if len(objects):
        anchors = losses.instance_anchors(f, objects, cfg.anchor, gen)
        terms["inst"] = cfg.instance_weight * losses.instance_dice_loss(
            f, objects, anchors, cfg.delta_v, cfg.kernel_threshold
        )
    if kind == "sparse":
        unlabeled = target == UNLABELED
        if len(objects):
            means = losses.instance_means(f, objects)
            terms["push_u"] = cfg.unlabeled_push_weight * losses.unlabeled_push(
                f, means, unlabeled, cfg.delta_d
            )
        anchors_px = losses.consistency_anchor_pixels(
            g, unlabeled, cfg.delta_v, cfg.max_anchors, cfg.unlabeled_stop, gen
        )
        terms["con"] = cfg.consistency_weight * losses.consistency_loss(
            f, g, anchors_px, cfg.delta_v, cfg.kernel_threshold
        )
    return terms


def make_batch(
    images: list[torch.Tensor],
    targets: list[torch.Tensor],
    cfg: SpocoConfig,
    rng: np.random.Generator,
    twin: bool,
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """(f input, g input or None, targets) of one mini-batch: shared geometry, independent photometry."""
    xs, gs, ts = [], [], []
    for i in rng.integers(0, len(images), size=cfg.batch_size):
        img, tgt = geometric(images[i], targets[i], cfg.crop_size, cfg.crop_scale, rng)
        xs.append(photometric(img, rng))
        if twin:
            gs.append(photometric(img, rng))
        ts.append(tgt)
    x = zscore(torch.stack(xs))
    return x, (zscore(torch.stack(gs)) if twin else None), torch.stack(ts)


def batch_loss(
    f_net: EmbeddingUNet,
    g_net: EmbeddingUNet,
    batch: tuple[torch.Tensor, torch.Tensor | None, torch.Tensor],
    kind: str,
    cfg: SpocoConfig,
    gen: torch.Generator,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Mean loss of one :func:`make_batch` batch (f in training mode, g without gradients) and
    its terms as floats; on the device of ``gen``."""
    x, xg, tgt = batch
    dev = gen.device
    f_net.train()
    emb = f_net(x.to(dev))
    emb_g = None
    if xg is not None:
        with torch.no_grad():
            g_net.train()  # batch statistics; g's BatchNorm buffers are its own, not averaged
            emb_g = g_net(xg.to(dev))
    totals: dict[str, float] = {}
    loss = emb.sum() * 0
    for b in range(emb.shape[0]):
        terms = image_loss(
            emb[b], None if emb_g is None else emb_g[b], tgt[b].to(dev), kind, cfg, gen
        )
        for name, value in terms.items():
            loss = loss + value / emb.shape[0]
            totals[name] = totals.get(name, 0.0) + float(value.detach()) / emb.shape[0]
    return loss, totals


def train(
    dataset_root: str | Path,
    out_path: str | Path,
    cfg: SpocoConfig,
    mode: str,
    seed: int,
    device: str = "auto",
    config_digest: str | None = None,
) -> dict[str, Any]:
    """Train one spoco network; write ``model.pt`` (f, g, config, history) and ``objects.json``."""
    kind, _ = parse_mode(mode)
    rng = seed_everything(seed)
    dev = select_device(device)
    images_np, labels_np, ids = load_training_data(
        dataset_root, working_scale(dataset_root, cfg.scale)
    )
    chosen, targets_np, record = build_targets(labels_np, mode, rng)
    images = [to_unit(images_np[i]) for i in chosen]
    targets = [torch.from_numpy(t) for t in targets_np]
    n_kept = sum(int((np.unique(t) > 0).sum()) for t in targets_np)
    log.info(
        "spoco %s seed %d: %d training images, %d labelled objects", mode, seed, len(images), n_kept
    )

    f_net = EmbeddingUNet(images[0].shape[0], cfg.embedding_dim, cfg.depth, cfg.width).to(dev)
    g_net = copy.deepcopy(f_net)
    for p in g_net.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.Adam(
        f_net.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=cfg.lr_factor, patience=cfg.patience - 1
    )
    gen = torch.Generator(device=dev).manual_seed(seed)
    twin = kind == "sparse"
    history, window, start = [], [], time.perf_counter()
    iteration = 0
    for iteration in range(1, cfg.iterations + 1):
        batch = make_batch(images, targets, cfg, rng, twin)
        loss, totals = batch_loss(f_net, g_net, batch, kind, cfg, gen)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        ema_update(g_net, f_net, cfg.momentum)
        window.append(float(loss.detach()))
        if iteration % cfg.check_every == 0 or iteration == cfg.iterations:
            mean = float(np.mean(window))
            window = []
            scheduler.step(mean)
            lr = optimizer.param_groups[0]["lr"]
            history.append({"iteration": iteration, "loss": mean, "lr": lr, **totals})
            log.info(
                "it %d loss %.4f lr %.2e %s (%.0f s)",
                iteration,
                mean,
                lr,
                totals,
                time.perf_counter() - start,
            )
            if lr < cfg.min_lr:
                break
    if not twin:  # g never ran: give it f's BatchNorm statistics for inference
        for b_g, b_f in zip(g_net.buffers(), f_net.buffers(), strict=True):
            b_g.copy_(b_f)
    seconds = time.perf_counter() - start
    result = {
        "mode": mode,
        "seed": seed,
        "config": cfg.model_dump(mode="json"),
        "in_channels": images[0].shape[0],
        "train_images": [ids[i] for i in chosen],
        "supervision": record,
        "iterations": iteration,
        "train_seconds": seconds,
        "iterations_per_second": iteration / seconds,
        "history": history,
        "provenance": provenance(config_digest=config_digest, seed=seed, device=str(dev)),
    }
    out_path = Path(out_path)
    objects = {k: result[k] for k in ("mode", "seed", "train_images", "supervision")}
    with atomic_path(out_path.with_name("objects.json")) as tmp:
        tmp.write_text(json.dumps(objects, indent=1) + "\n")
    with atomic_path(out_path) as tmp:
        torch.save({"f": f_net.state_dict(), "g": g_net.state_dict(), **result}, tmp)
    return result
