"""Losses of paper 002 (eq. 10–12) as pure functions on critic outputs."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F


def critic_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 10 without the penalty: E[D(G(z,c))] − E[D(x)] (= −V(D, G) of eq. 8)."""
    return d_fake.mean() - d_real.mean()


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    alpha: torch.Tensor,
) -> torch.Tensor:
    """Eq. 10's E[(‖∇D(x̂)‖₂ − 1)²] at x̂ = α·real + (1 − α)·fake (α one value per sample,
    Gulrajani et al. 2017); differentiable w.r.t. the critic's parameters."""
    shape = (-1,) + (1,) * (real.dim() - 1)
    mixed = (alpha.view(shape) * real + (1 - alpha.view(shape)) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def generator_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 11: L_G = −E[D(G(z, c))]."""
    return -d_fake.mean()


def info_loss(log_q: torch.Tensor, c: torch.Tensor, weight: float = 1.0) -> torch.Tensor:
    """Eq. 12 as minimised: λ2 · E[−log Q(c | G(z, c))] (the NLL of the sampled category)."""
    return weight * F.nll_loss(log_q, c)
