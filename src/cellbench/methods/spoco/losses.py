"""spoco losses (paper §3, Eq. 1–7) as pure functions of one image's embeddings.

Shapes: embeddings ``e`` (D, H, W); ``instances`` boolean (C, H, W) masks; ``unlabeled`` a
boolean (H, W) mask. Margins: δv (pull, soft-mask radius), δd (push to 2δd between
instances, δd between instances and unlabeled pixels, Eq. 6).
"""

from __future__ import annotations

import math

import torch


def kernel_scale(delta_v: float, threshold: float = 0.5) -> float:
    """s of Eq. 3 such that φ(δv) = t: s = δv² / (−ln t)."""
    return delta_v**2 / -math.log(threshold)


def _sqdist(points: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """(K, N) squared distances between K points (K, D) and the N pixel embeddings of e (D, ...)."""
    flat = e.flatten(1)
    d2 = points.pow(2).sum(1)[:, None] - 2 * points @ flat + flat.pow(2).sum(0)[None]
    return d2.clamp_min(0)


def _dist(points: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    return (_sqdist(points, e) + 1e-12).sqrt()  # ε keeps the gradient finite at distance 0


def instance_means(e: torch.Tensor, instances: torch.Tensor) -> torch.Tensor:
    """(C, D) mean embedding μ_c of each of the (C, H, W) boolean instance masks."""
    m = instances.flatten(1).to(e.dtype)
    return (m @ e.flatten(1).T) / m.sum(1, keepdim=True)


def pull_term(
    e: torch.Tensor, instances: torch.Tensor, means: torch.Tensor, delta_v: float
) -> torch.Tensor:
    """Eq. 1: 1/C Σ_c 1/N_c Σ_{i∈c} [‖μ_c − e_i‖ − δv]₊²."""
    m = instances.flatten(1).to(e.dtype)
    hinge = torch.clamp(_dist(means, e) - delta_v, min=0).pow(2)
    return ((hinge * m).sum(1) / m.sum(1)).mean()


def push_term(means: torch.Tensor, delta_d: float) -> torch.Tensor:
    """Eq. 2: 1/(C(C−1)) Σ_{a≠b} [2δd − ‖μ_a − μ_b‖]₊² (0 for fewer than 2 instances)."""
    c = means.shape[0]
    if c < 2:
        return means.sum() * 0
    dist = (means[:, None, :] - means[None, :, :]).pow(2).sum(-1).add(1e-12).sqrt()
    off = ~torch.eye(c, dtype=torch.bool, device=means.device)
    return torch.clamp(2 * delta_d - dist[off], min=0).pow(2).sum() / (c * (c - 1))


def regularizer(means: torch.Tensor) -> torch.Tensor:
    """Footnote 1: 1/C Σ_c ‖μ_c‖."""
    return means.norm(dim=1).mean()


def discriminative_loss(
    e: torch.Tensor,
    instances: torch.Tensor,
    delta_v: float = 0.5,
    delta_d: float = 2.0,
    alpha: float = 1.0,
    beta: float = 1.0,
    gamma: float = 0.001,
) -> torch.Tensor:
    """Discriminative loss of De Brabandere et al. [6], Eq. 1–2 plus the 0.001 regulariser."""
    if instances.shape[0] == 0:
        return e.sum() * 0
    means = instance_means(e, instances)
    return (
        alpha * pull_term(e, instances, means, delta_v)
        + beta * push_term(means, delta_d)
        + gamma * regularizer(means)
    )


def soft_mask(
    e: torch.Tensor, anchor: torch.Tensor, delta_v: float, threshold: float = 0.5
) -> torch.Tensor:
    """Eq. 3: φ_i = exp(−‖e_i − e_anchor‖² / s) with φ = t at distance δv; shape (H, W)."""
    return soft_masks(e, anchor[None], delta_v, threshold)[0]


def soft_masks(
    e: torch.Tensor, anchors: torch.Tensor, delta_v: float, threshold: float = 0.5
) -> torch.Tensor:
    """Eq. 3 for K anchors (K, D) at once: (K, H, W)."""
    d2 = _sqdist(anchors, e)
    return torch.exp(-d2 / kernel_scale(delta_v, threshold)).view(-1, *e.shape[1:])


def dice_loss(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """1 − 2Σpg / (Σp² + Σg²), pooled over every element of the (stacked) masks (Eq. 4)."""
    target = target.to(pred.dtype)
    return 1 - 2 * (pred * target).sum() / (pred.pow(2).sum() + target.pow(2).sum()).clamp_min(eps)


def instance_anchors(
    e: torch.Tensor, instances: torch.Tensor, choice: str, generator: torch.Generator
) -> torch.Tensor:
    """(C, D) anchor embeddings: a random pixel of each instance (paper) or its mean (code)."""
    if choice == "mean":
        return instance_means(e, instances)
    m = instances.flatten(1)
    # a uniformly random member pixel of each mask: argmax of uniform noise on the mask
    noise = torch.rand(m.shape, generator=generator, device=m.device)
    pick = torch.where(m, noise, torch.full_like(noise, -1.0)).argmax(dim=1)
    return e.flatten(1)[:, pick].T


def instance_dice_loss(
    e: torch.Tensor,
    instances: torch.Tensor,
    anchors: torch.Tensor,
    delta_v: float = 0.5,
    threshold: float = 0.5,
) -> torch.Tensor:
    """Eq. 4: Dice between each instance's soft mask (around its anchor) and its GT mask, pooled."""
    if instances.shape[0] == 0:
        return e.sum() * 0
    return dice_loss(soft_masks(e, anchors, delta_v, threshold), instances)


def unlabeled_push(
    e: torch.Tensor, means: torch.Tensor, unlabeled: torch.Tensor, delta_d: float = 2.0
) -> torch.Tensor:
    """Eq. 6: 1/C Σ_c 1/|U| Σ_{i∈U} [δd − ‖e_i − μ_c‖]₊² (0 without instances or unlabeled pixels)."""
    if means.shape[0] == 0 or not bool(unlabeled.any()):
        return e.sum() * 0
    dist = _dist(means, e.flatten(1)[:, unlabeled.flatten()])  # (C, U)
    return torch.clamp(delta_d - dist, min=0).pow(2).mean()


def consistency_anchor_pixels(
    g: torch.Tensor,
    unlabeled: torch.Tensor,
    delta_v: float,
    max_anchors: int,
    stop_fraction: float,
    generator: torch.Generator,
) -> list[int]:
    """Flat pixel indices of the consistency anchors (Eq. 7): draw a random unlabeled pixel,
    remove its hard δv-ball in g from the region; stop below ``stop_fraction`` of the patch or
    at ``max_anchors``."""
    remaining = unlabeled.flatten().clone()
    flat = g.detach().flatten(1)
    total = remaining.numel()
    anchors: list[int] = []
    while len(anchors) < max_anchors and int(remaining.sum()) >= max(1, stop_fraction * total):
        idx = torch.nonzero(remaining).squeeze(1)
        pick = int(idx[torch.randint(len(idx), (1,), generator=generator, device=idx.device)])
        anchors.append(pick)
        ball = (flat - flat[:, pick : pick + 1]).pow(2).sum(0) < delta_v**2
        remaining &= ~ball
        remaining[pick] = False
    return anchors


def consistency_loss(
    f: torch.Tensor,
    g: torch.Tensor,
    anchors: list[int],
    delta_v: float = 0.5,
    threshold: float = 0.5,
) -> torch.Tensor:
    """Eq. 7: Dice between the soft masks of f and of (detached) g around the same anchor pixels, pooled."""
    if not anchors:
        return f.sum() * 0
    g = g.detach()
    mf = soft_masks(f, f.flatten(1)[:, anchors].T, delta_v, threshold)
    mg = soft_masks(g, g.flatten(1)[:, anchors].T, delta_v, threshold)
    return dice_loss(mf, mg)
