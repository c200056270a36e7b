"""spoco losses (paper Eq. 1–7) on tiny tensors with hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from cellbench.methods.spoco import losses
from cellbench.methods.spoco.model import EmbeddingUNet, ema_update


def _e(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64).view(1, 1, -1)  # D=1, H=1, W=n


def _masks(rows: list[list[int]]) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.bool).view(len(rows), 1, -1)


def test_discriminative_loss_by_hand() -> None:
    e = _e([0, 1, 3, 3])
    inst = _masks([[1, 1, 0, 0], [0, 0, 1, 1]])
    # μA = 0.5, μB = 3. pull (δv=0.25): A 2 × (0.5 − 0.25)² / 2 = 0.0625, B 0 → 0.03125
    # push (δd=2): (4 − 2.5)² over 2 ordered pairs / (2·1) = 2.25; reg 0.001 · (0.5 + 3)/2
    value = losses.discriminative_loss(e, inst, delta_v=0.25, delta_d=2.0)
    assert float(value) == pytest.approx(0.03125 + 2.25 + 0.00175)
    means = losses.instance_means(e, inst)
    assert means.squeeze(1).tolist() == [0.5, 3.0]
    assert float(losses.pull_term(e, inst, means, 0.5)) == pytest.approx(0.0, abs=1e-9)
    assert float(losses.push_term(means[:1], 2.0)) == 0.0  # one instance: no push


def test_soft_mask_and_instance_dice_by_hand() -> None:
    e = _e([0, 0.5, 1])
    assert losses.kernel_scale(0.5, 0.5) == pytest.approx(0.25 / math.log(2))
    mask = losses.soft_mask(e, torch.zeros(1, dtype=torch.float64), 0.5, 0.5)
    assert mask.flatten().tolist() == pytest.approx([1.0, 0.5, 2**-4])  # φ(δv) = t
    target = _masks([[1, 1, 0]])
    value = losses.instance_dice_loss(e, target, torch.zeros(1, 1, dtype=torch.float64), 0.5, 0.5)
    assert float(value) == pytest.approx(1 - 2 * 1.5 / (1 + 0.25 + 2**-8 + 2))


def test_anchor_choices() -> None:
    e = _e([0, 2, 7])
    inst = _masks([[1, 1, 0]])
    gen = torch.Generator().manual_seed(0)
    assert float(losses.instance_anchors(e, inst, "mean", gen)) == 1.0
    picks = {float(losses.instance_anchors(e, inst, "random", gen)) for _ in range(30)}
    assert picks == {0.0, 2.0}  # a random pixel of the instance, never outside it


def test_unlabeled_push_by_hand() -> None:
    e = _e([0, 1, 3])
    unlabeled = torch.tensor([[False, True, True]])
    # distances 1 and 3 to μ = 0: (2 − 1)² and 0, mean over C·|U| = 2
    value = losses.unlabeled_push(e, torch.zeros(1, 1, dtype=torch.float64), unlabeled, 2.0)
    assert float(value) == pytest.approx(0.5)
    assert float(losses.unlabeled_push(e, torch.zeros(0, 1, dtype=torch.float64), unlabeled)) == 0.0


def test_consistency_loss_by_hand() -> None:
    f = _e([0, 1])
    assert float(losses.consistency_loss(f, f.clone(), [0, 1])) == pytest.approx(0.0, abs=1e-12)
    g = _e([0, 0])  # f mask around pixel 0: [1, 2^-4]; g mask: [1, 1]
    value = losses.consistency_loss(f, g, [0])
    assert float(value) == pytest.approx(1 - 2 * (1 + 2**-4) / (1 + 2**-8 + 2))
    f.requires_grad_(True)
    g = g.requires_grad_(True)
    losses.consistency_loss(f, g, [0]).backward()
    assert g.grad is None  # g is detached


def test_consistency_anchors_cover_region() -> None:
    g = _e([0, 0, 5, 5])
    gen = torch.Generator().manual_seed(0)
    region = torch.ones(1, 4, dtype=torch.bool)
    anchors = losses.consistency_anchor_pixels(g, region, 0.5, 20, 0.05, gen)
    assert len(anchors) == 2 and {a // 2 for a in anchors} == {0, 1}  # one per δv-ball
    assert losses.consistency_anchor_pixels(g, region, 0.5, 1, 0.05, gen).__len__() == 1
    assert (
        losses.consistency_anchor_pixels(g, torch.zeros(1, 4, dtype=torch.bool), 0.5, 20, 0.05, gen)
        == []
    )


def test_ema_update_parameters_only() -> None:
    f, g = nn.BatchNorm1d(1), nn.BatchNorm1d(1)
    nn.init.constant_(f.weight, 1.0)
    nn.init.constant_(g.weight, 0.0)
    f.running_mean.fill_(5.0)
    ema_update(g, f, 0.9)
    assert float(g.weight.detach()) == pytest.approx(0.1)
    assert float(g.running_mean) == 0.0  # BatchNorm buffers are not averaged


def test_unet_shapes_and_paper_size() -> None:
    net = EmbeddingUNet(3, 16, depth=3, width=4)
    assert net(torch.zeros(2, 3, 20, 24)).shape == (2, 16, 20, 24)
    paper = EmbeddingUNet(3, 16, depth=6, width=16)
    n = sum(p.numel() for p in paper.parameters())
    assert 5.0e6 < n < 6.0e6  # METHODS.md: ≈ 5.5 M parameters
