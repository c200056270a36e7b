"""OCE loss of paper 001, eq. 5, and its pair sampling (Appendix A).

L = Σ_{(i,j)∈P} σ(d(i,j) − d̂(i,j)) + λ_reg ‖r(i)‖₂ with σ(δ) = 1/(1+exp(−‖δ‖²/τ)).
With absolute embeddings e(i) = i + r(i), d(i,j) − d̂(i,j) = e(i) − e(j), i.e. the loss pulls
the embeddings of nearby pixels to the same point (the object centre). Pairs P = P1 × P2:
P1 = ``anchor_fraction`` of the pixels at least κ from the border, one partner per anchor at an
integer offset drawn uniformly from the disk 0 < ‖o‖ < κ.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from cellbench.methods.cellulus.config import LossVariant


def disk_offsets(kappa: float) -> np.ndarray:
    """All integer offsets (dy, dx) with 0 < ‖o‖ < κ, shape (K, 2)."""
    reach = math.ceil(kappa)
    dy, dx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    norm2 = dy**2 + dx**2
    keep = (norm2 > 0) & (norm2 < kappa**2)
    return np.stack([dy[keep], dx[keep]], axis=1).astype(np.int64)


def sample_pairs(
    height: int,
    width: int,
    fraction: float,
    kappa: float,
    rng: np.random.Generator,
    partners: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Anchors (N·partners, 2) and their partners in pixel coordinates of a (height, width) output.

    N = round(fraction × number of pixels at least ⌈κ⌉ from every border) anchors are drawn
    without replacement among those pixels (so every partner lies inside the output); each
    anchor is repeated ``partners`` times, each time with its own uniformly drawn disk offset.
    """
    margin = math.ceil(kappa)
    inner_h, inner_w = height - 2 * margin, width - 2 * margin
    if inner_h <= 0 or inner_w <= 0:
        raise ValueError(f"output {height}×{width} too small for kappa {kappa}")
    count = max(1, round(fraction * inner_h * inner_w))
    flat = rng.choice(inner_h * inner_w, size=count, replace=False)
    anchors = np.stack([flat // inner_w + margin, flat % inner_w + margin], axis=1)
    anchors = np.repeat(anchors, partners, axis=0)
    offsets = disk_offsets(kappa)
    others = anchors + offsets[rng.integers(0, len(offsets), size=len(anchors))]
    return anchors.astype(np.int64), others.astype(np.int64)


def gather_embeddings(offsets: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Absolute embeddings e = p + r(p) at ``points`` (B, N, 2) of ``offsets`` (B, 2, H, W)."""
    batch = torch.arange(offsets.shape[0], device=offsets.device)[:, None]
    r = offsets.permute(0, 2, 3, 1)[batch, points[..., 0], points[..., 1]]  # (B, N, 2)
    return points.to(offsets.dtype) + r, r


def oce_loss(
    offsets: torch.Tensor,
    anchors: torch.Tensor,
    partners: torch.Tensor,
    *,
    tau: float = 10.0,
    reg_lambda: float = 1e-5,
    variant: LossVariant = "paper",
) -> torch.Tensor:
    """Eq. 5 on a batch of offset maps (B, 2, H, W) and pairs (B, N, 2) (long, output pixels).

    ``paper``: mean over pairs of 1/(1+exp(−‖δ‖²/τ)) + λ_reg · mean ‖r(i)‖₂ over anchors.
    ``code`` (funkelab/cellulus): Σ over pairs of 1 − exp(−‖δ‖²/τ) with the partner's
    embedding detached, + λ_reg · Σ ‖e(i)‖₂ of the anchors' absolute embeddings.
    """
    e_anchor, r_anchor = gather_embeddings(offsets, anchors)
    e_partner, _ = gather_embeddings(offsets, partners)
    if variant == "paper":
        dist2 = ((e_anchor - e_partner) ** 2).sum(-1)
        pair_term = torch.sigmoid(dist2 / tau).mean()
        return pair_term + reg_lambda * r_anchor.norm(dim=-1).mean()
    if variant == "code":
        dist2 = ((e_anchor - e_partner.detach()) ** 2).sum(-1)
        pair_term = (1.0 - torch.exp(-dist2 / tau)).sum()
        return pair_term + reg_lambda * e_anchor.norm(dim=-1).sum()
    raise ValueError(f"unknown loss variant {variant!r}")
