"""infogan networks, losses (paper 002 eq. 10–12), crops, augmentation, evaluation protocols."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from cellbench.errors import InputError
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.crops import crop_cells, crop_table, to_network
from cellbench.methods.infogan.experiments import image_table, proportions
from cellbench.methods.infogan.losses import (
    critic_loss,
    generator_loss,
    gradient_penalty,
    info_loss,
)
from cellbench.methods.infogan.networks import Critic, Generator, sample_code
from cellbench.methods.infogan.train import augment, generator_iterations


def linear_critic(w: torch.Tensor):
    return lambda x: x.flatten(1) @ w


def test_gradient_penalty_zero_for_unit_linear_critic() -> None:
    w = torch.randn(12)
    w = w / w.norm()  # D(x) = w·x is 1-Lipschitz with ‖∇D‖ = 1 everywhere
    real, fake = torch.randn(4, 3, 2, 2), torch.randn(4, 3, 2, 2)
    gp = gradient_penalty(linear_critic(w), real, fake, torch.rand(4))
    assert gp.item() == pytest.approx(0.0, abs=1e-12)


def test_gradient_penalty_of_steeper_linear_critic() -> None:
    w = torch.zeros(12, dtype=torch.float64)
    w[0] = 3.0  # ‖∇D‖ = 3 -> (3 − 1)² = 4
    real = torch.randn(5, 12, dtype=torch.float64)
    fake = torch.randn(5, 12, dtype=torch.float64)
    gp = gradient_penalty(linear_critic(w), real, fake, torch.rand(5, dtype=torch.float64))
    assert gp.item() == pytest.approx(4.0)


def test_gradient_penalty_reaches_critic_parameters() -> None:
    w = torch.tensor([2.0, 0.0], requires_grad=True)
    gp = gradient_penalty(lambda x: x @ w, torch.ones(3, 2), torch.zeros(3, 2), torch.rand(3))
    gp.backward()
    # d/dw (‖w‖ − 1)² = 2(‖w‖ − 1) w/‖w‖ = (2, 0)
    assert torch.allclose(w.grad, torch.tensor([2.0, 0.0]))


def test_critic_and_generator_losses_hand_values() -> None:
    d_real, d_fake = torch.tensor([1.0, 3.0]), torch.tensor([0.5, -0.5])
    assert critic_loss(d_real, d_fake).item() == pytest.approx(0.0 - 2.0)
    assert generator_loss(d_fake).item() == pytest.approx(0.0)
    assert generator_loss(torch.tensor([2.0, 4.0])).item() == pytest.approx(-3.0)


def test_info_loss_is_weighted_nll() -> None:
    log_q = torch.log(torch.full((3, 4), 0.25))
    assert info_loss(log_q, torch.tensor([0, 1, 3]), 2.0).item() == pytest.approx(2 * math.log(4))
    log_q = torch.log(torch.tensor([[0.5, 0.5], [0.9, 0.1]]))
    expected = -(math.log(0.5) + math.log(0.1)) / 2
    assert info_loss(log_q, torch.tensor([0, 1])).item() == pytest.approx(expected)


def test_networks_shapes_and_shared_trunk() -> None:
    gen, critic = Generator(5, 8, 16), Critic(5, 16)
    c, code = sample_code(6, 5, 8, torch.Generator().manual_seed(0))
    assert code.shape == (6, 13) and torch.equal(code[:, :5].argmax(1), c)
    x = gen(code)
    assert x.shape == (6, 3, 32, 32) and x.abs().max() <= 1
    d, log_q = critic(x)
    assert d.shape == (6,) and log_q.shape == (6, 5)
    assert torch.allclose(log_q.exp().sum(1), torch.ones(6))
    trunk = {id(p) for p in critic.blocks.parameters()}
    assert trunk <= {id(p) for p in critic.d_parameters()}
    assert trunk <= {id(p) for p in critic.q_parameters()}
    assert critic.block_features(x).shape == (6, 4 * 16 * 16)
    assert Critic(5, 128).block_features(x).shape[1] == 8192  # paper's 8192-D at width 128


def test_augment_rotations_and_flips() -> None:
    x = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).view(2, 3, 4, 4)
    rng = torch.Generator().manual_seed(0)
    for mode in ("rotations", "flips"):
        out = augment(x, mode, rng)
        for a, b in zip(out, x, strict=True):
            if mode == "rotations":
                candidates = [torch.rot90(b, k, dims=(1, 2)) for k in range(4)]
            else:
                candidates = [b, b.flip(1), b.flip(2), b.flip(1, 2)]
            assert any(torch.equal(a, cand) for cand in candidates)
    assert torch.equal(augment(x, "none", rng), x)


def test_generator_iterations_paper_epochs() -> None:
    config = InfoganConfig(batch_size=64, epochs=10)
    assert generator_iterations(config, 1995) == math.ceil(10 * 1995 * 4 / 64)
    assert generator_iterations(InfoganConfig(iterations=7), 1995) == 7


def test_config_rejects_unknown_and_bad_values() -> None:
    with pytest.raises(ValueError):
        InfoganConfig(unknown=1)
    with pytest.raises(ValueError):
        InfoganConfig(crop_size=30)
    with pytest.raises(ValueError):
        InfoganConfig(betas=(0.5, 1.5))


def test_crops_white_background_and_scaling() -> None:
    image = np.full((60, 80, 3), 10, np.uint8)
    labels = np.zeros((60, 80), np.int32)
    labels[5:15, 5:11] = 1  # 10 × 6, kept at native size
    labels[10:58, 30:70] = 2  # 48 × 40 -> 32 × 27 (rounded)
    labels[30, 5] = 0
    crops, rows = crop_cells(image, labels, 32)
    assert crops.shape == (2, 32, 32, 3) and crops.dtype == np.uint8
    assert rows[0] == (1, 5, 5, 15, 11) and rows[1] == (2, 10, 30, 58, 70)
    small = crops[0]
    assert (small[11:21, 13:19] == 10).all()  # unscaled intensities, centred
    assert (small == 10).sum() == 10 * 6 * 3 and (small == 255).sum() == 32 * 32 * 3 - 180
    big = crops[1]
    assert ((big == 10).all(-1)).sum() > 0.8 * 32 * 27  # not intensity-rescaled
    assert big[0, 0].tolist() == [255, 255, 255]
    table = crop_table("img", rows)
    assert table.columns.tolist()[:2] == ["image_id", "label"] and len(table) == 2
    x = to_network(crops)
    assert x.shape == (2, 3, 32, 32) and x.min() >= -1 and x.max() == 1


def test_image_table_separates_proportions() -> None:
    rng = np.random.default_rng(0)
    rows, clusters = [], []
    for i in range(16):
        label = ("normal", "abnormal")[i % 2]
        share = 0.8 if label == "abnormal" else 0.1
        for _ in range(40):
            rows.append({"image_id": f"im{i}", "image_label": label})
            clusters.append(0 if rng.random() < share else int(rng.integers(1, 3)))
    props = proportions(pd.DataFrame(rows), np.array(clusters), 3)
    assert props.shape == (16, 4)
    np.testing.assert_allclose(props[["P1", "P2", "P3"]].sum(axis=1), 1)
    result = {r["method"]: r for r in image_table(props, 4, 0)}
    assert result["Our Method (with SVM)"]["f_score"] == 1.0
    assert result["Our Method (unsupervised)"]["f_score"] == 1.0
    assert result["Majority class"]["f_score"] < 0.5


def test_image_table_needs_image_labels() -> None:
    props = pd.DataFrame({"P1": [0.5, 0.2], "image_label": ["", ""]})
    with pytest.raises(InputError, match="image-level labels"):
        image_table(props, 2, 0)
