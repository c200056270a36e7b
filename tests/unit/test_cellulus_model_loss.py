"""cellulus (paper 001): mini U-Net shape, eq. 5 on hand-computed values, pair sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from cellbench.methods.cellulus.config import CellulusConfig
from cellbench.methods.cellulus.loss import disk_offsets, oce_loss, sample_pairs
from cellbench.methods.cellulus.model import MiniUNet, output_size, valid_input_size


def test_model_output_is_16_px_smaller() -> None:
    torch.manual_seed(0)
    model = MiniUNet(in_channels=1, out_channels=2, num_fmaps=4, fmap_inc_factor=3)
    out = model(torch.zeros(1, 1, 252, 252))
    assert out.shape == (1, 2, 236, 236)
    assert output_size(252) == 236
    assert output_size(251) is None  # odd before pooling


def test_model_paper_widths_and_two_channel_input() -> None:
    model = MiniUNet(in_channels=2, num_fmaps=64, fmap_inc_factor=3)
    assert model.down[0][0].out_channels == 64
    assert model.down[1][0].out_channels == 192
    assert [m.kernel_size for m in model.down[0] if isinstance(m, torch.nn.Conv2d)] == [
        (3, 3),
        (1, 1),
        (1, 1),
        (3, 3),
    ]
    assert model(torch.zeros(1, 2, 36, 36)).shape == (1, 2, 20, 20)


def test_deeper_unet_sizes() -> None:
    size = valid_input_size(100, depth=3)
    assert output_size(size, depth=3) >= 100
    model = MiniUNet(1, 3, num_fmaps=2, fmap_inc_factor=1, depth=3)
    assert model(torch.zeros(1, 1, size, size)).shape[-1] == output_size(size, depth=3)


def _offsets(anchor_r: tuple[float, float]) -> torch.Tensor:
    offsets = torch.zeros(1, 2, 5, 5)
    offsets[0, :, 2, 2] = torch.tensor(anchor_r)
    return offsets


ANCHOR = torch.tensor([[[2, 2]]])
PARTNER = torch.tensor([[[2, 3]]])


def test_paper_loss_hand_computed() -> None:
    # r = 0: δ = e_i − e_j = (0, −1), ‖δ‖² = 1 → σ = 1/(1+exp(−0.1)).
    loss = oce_loss(_offsets((0.0, 0.0)), ANCHOR, PARTNER, tau=10.0, reg_lambda=1e-5)
    assert loss.item() == pytest.approx(1 / (1 + math.exp(-0.1)), rel=1e-6)
    # r(i) = (3, 4): e_i = (5, 6), e_j = (2, 3), ‖δ‖² = 18; regulariser λ‖r(i)‖ = 1e-5 · 5.
    loss = oce_loss(_offsets((3.0, 4.0)), ANCHOR, PARTNER, tau=10.0, reg_lambda=1e-5)
    assert loss.item() == pytest.approx(1 / (1 + math.exp(-1.8)) + 5e-5, rel=1e-6)


def test_code_loss_hand_computed_and_detached_partner() -> None:
    offsets = _offsets((3.0, 4.0)).requires_grad_(True)
    loss = oce_loss(offsets, ANCHOR, PARTNER, tau=10.0, reg_lambda=1e-5, variant="code")
    # 1 − exp(−18/10) + 1e-5 · ‖(5, 6)‖ (absolute embedding of the anchor).
    assert loss.item() == pytest.approx(1 - math.exp(-1.8) + 1e-5 * math.sqrt(61), rel=1e-6)
    loss.backward()
    assert offsets.grad is not None
    assert torch.all(offsets.grad[0, :, 2, 3] == 0)  # partner detached
    assert torch.any(offsets.grad[0, :, 2, 2] != 0)


def test_code_loss_sums_paper_loss_averages() -> None:
    anchors = torch.tensor([[[2, 2], [2, 2]]])
    partners = torch.tensor([[[2, 3], [3, 2]]])
    zero = torch.zeros(1, 2, 5, 5)
    paper = oce_loss(zero, anchors, partners, reg_lambda=0.0)
    code = oce_loss(zero, anchors, partners, reg_lambda=0.0, variant="code")
    assert paper.item() == pytest.approx(1 / (1 + math.exp(-0.1)), rel=1e-6)
    assert code.item() == pytest.approx(2 * (1 - math.exp(-0.1)), rel=1e-6)


def test_disk_offsets_strictly_inside() -> None:
    offsets = disk_offsets(10.0)
    norms = np.sqrt((offsets**2).sum(1))
    assert norms.min() > 0 and norms.max() < 10
    assert len(offsets) == len({tuple(o) for o in offsets.tolist()})
    assert len(offsets) == sum(
        0 < y * y + x * x < 100 for y in range(-10, 11) for x in range(-10, 11)
    )


def test_sample_pairs_properties() -> None:
    rng = np.random.default_rng(0)
    anchors, partners = sample_pairs(64, 80, 0.1, 10.0, rng, partners=3)
    inner = (64 - 20) * (80 - 20)
    assert len(anchors) == 3 * round(0.1 * inner)
    unique = {tuple(a) for a in anchors.tolist()}
    assert len(unique) == round(0.1 * inner)  # anchors without replacement
    distance = np.sqrt(((partners - anchors) ** 2).sum(1))
    assert distance.min() > 0 and distance.max() < 10
    assert anchors[:, 0].min() >= 10 and anchors[:, 0].max() < 54
    assert partners.min() >= 0 and partners[:, 0].max() < 64 and partners[:, 1].max() < 80


def test_sample_pairs_seeded() -> None:
    a1, p1 = sample_pairs(50, 50, 0.1, 10.0, np.random.default_rng(7))
    a2, p2 = sample_pairs(50, 50, 0.1, 10.0, np.random.default_rng(7))
    a3, _ = sample_pairs(50, 50, 0.1, 10.0, np.random.default_rng(8))
    assert np.array_equal(a1, a2) and np.array_equal(p1, p2)
    assert not np.array_equal(a1, a3)


def test_config_validation() -> None:
    assert CellulusConfig().crop_size == 252
    with pytest.raises(ValueError, match="crop_size"):
        CellulusConfig(crop_size=251)
    with pytest.raises(ValueError, match="tau"):
        CellulusConfig(tau=0)
    with pytest.raises(ValueError, match="loss_variant"):
        CellulusConfig(loss_variant="other")  # type: ignore[arg-type]
    config = CellulusConfig(num_passes=8, lr_milestones=(2, 3))
    assert CellulusConfig.from_dict(config.to_dict()) == config
