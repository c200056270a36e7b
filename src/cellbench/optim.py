"""LAMB: layer-wise adaptive moments optimiser for batch training (You et al., ICLR 2020).

Paper 000 trains the segmentation network with LAMB (lr 0.001, betas 0.9 / 0.999). Own
implementation of Algorithm 2 of You et al. (the unmaintained ``torch-optimizer`` package is not
used). For every parameter tensor x with gradient g, at step t:

    m ← β1 m + (1 − β1) g,          v ← β2 v + (1 − β2) g²
    m̂ = m / (1 − β1^t),             v̂ = v / (1 − β2^t)            (bias correction)
    u = m̂ / (√v̂ + ε) + λ x                                         (decoupled weight decay)
    trust = ‖x‖ / ‖u‖  if both norms are > 0, else 1                (layer-wise trust ratio)
    x ← x − η · trust · u
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch.optim import Optimizer


class Lamb(Optimizer):
    """LAMB with bias correction, decoupled weight decay and per-tensor trust ratio."""

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        if eps <= 0:
            raise ValueError(f"eps must be positive, got {eps}")
        if weight_decay < 0:
            raise ValueError(f"weight decay must be >= 0, got {weight_decay}")
        super().__init__(
            params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        )

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                if grad.is_sparse:
                    raise RuntimeError("Lamb does not support sparse gradients")
                state = self.state[param]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(param)
                    state["exp_avg_sq"] = torch.zeros_like(param)
                state["step"] += 1
                t = state["step"]
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                m_hat = exp_avg / (1 - beta1**t)
                v_hat = exp_avg_sq / (1 - beta2**t)
                update = m_hat / (v_hat.sqrt() + group["eps"])
                if group["weight_decay"]:
                    update = update.add(param, alpha=group["weight_decay"])
                weight_norm = torch.linalg.vector_norm(param)
                update_norm = torch.linalg.vector_norm(update)
                trust = torch.where(
                    (weight_norm > 0) & (update_norm > 0),
                    weight_norm / update_norm,
                    torch.ones_like(weight_norm),
                )
                param.sub_(update * (group["lr"] * trust))
        return loss
