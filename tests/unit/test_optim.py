"""LAMB against its update formula (You et al. 2020, Algorithm 2)."""

from __future__ import annotations

import torch

from cellbench.optim import Lamb


def lamb_reference(x, g, m, v, t, lr, b1, b2, eps, wd):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    u = (m / (1 - b1**t)) / ((v / (1 - b2**t)).sqrt() + eps) + wd * x
    trust = x.norm() / u.norm() if x.norm() > 0 and u.norm() > 0 else 1.0
    return x - lr * trust * u, m, v


def test_two_steps_match_formula():
    torch.manual_seed(0)
    x0 = torch.randn(3, 4, dtype=torch.float64)
    grads = [torch.randn(3, 4, dtype=torch.float64) for _ in range(2)]
    param = torch.nn.Parameter(x0.clone())
    opt = Lamb([param], lr=0.01, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.1)
    x, m, v = x0.clone(), torch.zeros_like(x0), torch.zeros_like(x0)
    for t, g in enumerate(grads, start=1):
        param.grad = g.clone()
        opt.step()
        x, m, v = lamb_reference(x, g, m, v, t, 0.01, 0.9, 0.99, 1e-6, 0.1)
        torch.testing.assert_close(param.detach(), x, rtol=1e-12, atol=1e-14)


def test_trust_ratio_scales_step_to_weight_norm():
    """Without weight decay the first step has |m̂/√v̂| = 1 elementwise: the step is lr·‖x‖/√n."""
    param = torch.nn.Parameter(torch.full((4,), 2.0, dtype=torch.float64))
    param.grad = torch.tensor([1.0, -3.0, 0.5, 2.0], dtype=torch.float64)
    Lamb([param], lr=0.1, eps=1e-12).step()
    expected = 2.0 - 0.1 * (4.0 / 2.0) * torch.sign(torch.tensor([1.0, -3.0, 0.5, 2.0]))
    torch.testing.assert_close(param.detach(), expected.double(), rtol=1e-6, atol=1e-6)


def test_zero_weights_use_trust_one():
    param = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    param.grad = torch.ones(3, dtype=torch.float64)
    Lamb([param], lr=0.5, eps=1e-12).step()
    torch.testing.assert_close(param.detach(), torch.full((3,), -0.5, dtype=torch.float64))
