"""Entropy-based patch sampler (paper §2.3, Eq. 1–4; window grid of the authors' code).

Candidate windows are ``size``×``size`` at ``stride`` (code: 50, 20). Per image and channel
k, n windows are drawn with replacement with probability ∝ max(1 − B_k, floor) (B_k: mean
binary entropy in bits, Eq. 2–4) and each is positive with probability A_k (mean confidence,
Eq. 1), else negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

_EPS = 1e-12


def binary_entropy(confidence: torch.Tensor) -> torch.Tensor:
    """Per-pixel entropy in bits of Bern(c) (Eq. 4), 0 at c ∈ {0, 1}."""
    c = confidence.clamp(0.0, 1.0)
    return -(c * torch.log2(c.clamp_min(_EPS)) + (1 - c) * torch.log2((1 - c).clamp_min(_EPS)))


def window_scores(
    confidence: torch.Tensor, size: int, stride: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean confidence A and mean entropy B of every window: two (B, K, nY, nX) tensors."""
    mean_conf = F.avg_pool2d(confidence, size, stride)
    mean_entropy = F.avg_pool2d(binary_entropy(confidence), size, stride)
    return mean_conf, mean_entropy


@dataclass(frozen=True)
class Patches:
    """Drawn windows: image index, channel, top-left corner (y, x) and positive flag."""

    image: torch.Tensor
    channel: torch.Tensor
    y: torch.Tensor
    x: torch.Tensor
    positive: torch.Tensor


def sample_patches(
    confidence: torch.Tensor,
    n: int,
    size: int,
    stride: int,
    generator: torch.Generator,
    floor: float = 0.001,
) -> Patches:
    """Draw n windows per image and channel of ``confidence`` (B, K, H, W); no gradient."""
    with torch.no_grad():
        mean_conf, mean_entropy = window_scores(confidence.detach().float().cpu(), size, stride)
    b, k, ny, nx = mean_conf.shape
    weights = (1 - mean_entropy).clamp_min(floor).reshape(b * k, ny * nx)
    flat = torch.multinomial(weights, n, replacement=True, generator=generator)
    conf = mean_conf.reshape(b * k, ny * nx).gather(1, flat).clamp(0, 1)
    positive = torch.bernoulli(conf, generator=generator).bool()
    rows = torch.arange(b * k).unsqueeze(1).expand(-1, n)
    return Patches(
        image=(rows // k).reshape(-1),
        channel=(rows % k).reshape(-1),
        y=(flat // nx).reshape(-1) * stride,
        x=(flat % nx).reshape(-1) * stride,
        positive=positive.reshape(-1),
    )


def extract(
    image: torch.Tensor, confidence: torch.Tensor, patches: Patches, size: int
) -> torch.Tensor:
    """Attended patches F = I · C_k (Eq. 5–6): (N, C, size, size), differentiable in C."""
    offsets = torch.arange(size, device=patches.y.device)
    ys = (patches.y[:, None] + offsets)[:, :, None]
    xs = (patches.x[:, None] + offsets)[:, None, :]
    idx = patches.image[:, None, None]
    img = image.permute(0, 2, 3, 1)[idx, ys, xs]  # (N, size, size, C)
    conf = confidence[idx, patches.channel[:, None, None], ys, xs]  # (N, size, size)
    return (img * conf[..., None]).permute(0, 3, 1, 2)
