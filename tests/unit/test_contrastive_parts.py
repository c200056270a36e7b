"""contrastive pure parts: network size, entropy, sampler, similarities and Eq. 7-9 on tiny tensors."""

import math

import numpy as np
import pytest
import torch

from cellbench.errors import InputError
from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.images import prepare_image, to_unit_rgb
from cellbench.methods.contrastive.loss import code_loss, paper_loss, similarity_matrix
from cellbench.methods.contrastive.model import ConfidenceNetwork, count_parameters
from cellbench.methods.contrastive.postprocess import clean_mask, confidence_to_labels
from cellbench.methods.contrastive.sampler import binary_entropy, extract, sample_patches
from cellbench.methods.contrastive.threshold import fit_threshold, threshold_dice
from cellbench.methods.contrastive.train import _on


def test_parameter_count_is_7372_for_rgb_and_k4():
    assert count_parameters(ConfidenceNetwork(3, 4)) == 7372
    # 3x3 stem 3*8*9 + BN 16, six blocks 2*(8*8*9 + 16), head 8*4 + 4
    assert 3 * 8 * 9 + 16 + 6 * 2 * (8 * 8 * 9 + 16) + 8 * 4 + 4 == 7372


def test_network_output_shape_and_range():
    with torch.no_grad():
        out = ConfidenceNetwork(3, 4).eval()(torch.rand(2, 3, 40, 40))
    assert out.shape == (2, 4, 40, 40)
    assert float(out.min()) > 0 and float(out.max()) < 1


def _trained_once(norm_statistics: str) -> ConfidenceNetwork:
    """A network after one training-mode pass (running statistics, if any, move away from 0/1)."""
    torch.manual_seed(0)
    model = ConfidenceNetwork(3, 4, norm_statistics=norm_statistics)
    with torch.no_grad():
        model.train()(torch.rand(2, 3, 24, 24) * 0.3)
    return model.eval()


def test_image_norm_statistics_make_inference_invariant_to_image_contrast():
    image = torch.rand(1, 3, 32, 32)
    darker = 0.5 * image  # one gain for every colour channel (a fainter stain)
    image_net, running_net = _trained_once("image"), _trained_once("running")
    with torch.no_grad():
        # conv (no bias, zero padding) then BatchNorm on the image's own statistics cancels the gain
        assert torch.allclose(image_net(image), image_net(darker), atol=1e-3)
        # running statistics (the code's eval mode) do not
        assert not torch.allclose(running_net(image), running_net(darker), atol=1e-2)
    assert not any("running_mean" in key for key in image_net.state_dict())
    assert count_parameters(image_net) == 7372
    with pytest.raises(ValueError, match="norm_statistics"):
        ConfidenceNetwork(3, 4, norm_statistics="batch")


def test_binary_entropy_values():
    c = torch.tensor([0.0, 1.0, 0.5, 0.25])
    expected = [0.0, 0.0, 1.0, -(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75))]
    assert binary_entropy(c).tolist() == pytest.approx(expected, abs=1e-6)


def _two_by_two_windows():
    """4x4 map, 2x2 windows at stride 2: top-left certain 1, bottom-right 0.5, rest certain 0."""
    conf = torch.zeros(1, 1, 4, 4)
    conf[..., 0:2, 0:2] = 1.0
    conf[..., 2:4, 2:4] = 0.5
    return conf


def test_sampler_is_seeded_and_follows_confidence_and_entropy():
    conf = _two_by_two_windows()
    first = sample_patches(conf, 1000, 2, 2, torch.Generator().manual_seed(3))
    again = sample_patches(conf, 1000, 2, 2, torch.Generator().manual_seed(3))
    assert torch.equal(first.y, again.y) and torch.equal(first.positive, again.positive)
    top_left = (first.y == 0) & (first.x == 0)
    # mean confidence 1 -> always positive; 0 -> never positive
    assert first.positive[top_left].all()
    certain_zero = ~top_left & ~((first.y == 2) & (first.x == 2))
    assert not first.positive[certain_zero].any()
    # entropy 1 bit -> weight floor 0.001 against weight 1 for the three certain windows
    assert int(((first.y == 2) & (first.x == 2)).sum()) < 10
    assert first.image.eq(0).all() and first.channel.eq(0).all()


def test_extract_attends_image_with_the_drawn_channel():
    image = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)
    conf = torch.rand(2, 2, 4, 4)
    patches = sample_patches(conf, 2, 2, 2, torch.Generator().manual_seed(0))
    feats = extract(image, conf, patches, 2)
    i, k, y, x = (
        int(patches.image[0]),
        int(patches.channel[0]),
        int(patches.y[0]),
        int(patches.x[0]),
    )
    expected = image[i, :, y : y + 2, x : x + 2] * conf[i, k, y : y + 2, x : x + 2]
    assert torch.allclose(feats[0], expected)


def test_extract_keeps_its_indices_on_the_patches_device():
    """The meta device stands in for a GPU: an index made on the CPU inside ``extract`` (as the
    patch offsets once were, failing every CUDA training) raises a device mismatch there too."""
    meta = torch.device("meta")
    conf = torch.rand(2, 4, 32, 32)
    patches = sample_patches(conf, 3, 8, 4, torch.Generator().manual_seed(0))
    feats = extract(torch.rand(2, 3, 32, 32).to(meta), conf.to(meta), _on(patches, meta), 8)
    assert feats.device == meta and feats.shape == (2 * 4 * 3, 3, 8, 8)


def test_similarities_by_hand():
    a, b, c = torch.tensor([[0.5]]), torch.tensor([[0.7]]), torch.tensor([[0.1]])
    mse = similarity_matrix(torch.cat([a, b, c]), torch.cat([a, b, c]), "mse")
    expected = [0, -0.04, -0.16, -0.04, 0, -0.36, -0.16, -0.36, 0]
    assert mse.flatten().tolist() == pytest.approx(expected, abs=1e-6)
    x, y = torch.tensor([[0.5]]), torch.tensor([[0.25]])
    ce = similarity_matrix(torch.cat([x, y]), torch.cat([x, y]), "ce")
    assert float(ce[0, 1]) == pytest.approx(math.log(0.5))
    assert float(ce[1, 0]) == pytest.approx(0.5 * math.log(0.25) + 0.5 * math.log(0.75))


def _toy_patches():
    """Channel 0: positives a=.5, b=.7, negative c=.1; channel 1: positive d=.3, negative e=.9."""
    feats = torch.tensor([[0.5], [0.7], [0.1], [0.3], [0.9]])
    channel = torch.tensor([0, 0, 0, 1, 1])
    positive = torch.tensor([True, True, False, True, False])
    return feats, channel, positive


def test_paper_loss_single_channel_by_hand():
    feats, channel, positive = _toy_patches()
    sim = similarity_matrix(feats[:3], feats[:3], "mse")
    # -(1/4) [(0+.16) + (-.04+.16) + (-.04+.36) + (0+.36)]
    assert float(paper_loss(sim, channel[:3], positive[:3], 1)) == pytest.approx(-0.24)


def test_paper_loss_two_channels_by_hand():
    feats, channel, positive = _toy_patches()
    sim = similarity_matrix(feats, feats, "mse")
    e = math.exp
    intra0 = -0.24
    inter0 = -(e(0.04) + 1 + e(0.12) + e(0.16)) / 4  # others: d, s(a,d)=-.04, s(b,d)=-.16
    intra1 = -(0 - (-0.36))  # P1={d}, N1={e}, s(d,e)=-.36
    inter1 = -1 / (e(-0.04) + e(-0.16))
    expected = intra0 + inter0 + intra1 + inter1
    assert float(paper_loss(sim, channel, positive, 2)) == pytest.approx(expected, rel=1e-6)


def test_code_loss_by_hand_and_skip_rule():
    feats = torch.tensor([[0.5], [0.1]])
    channel = torch.tensor([0, 0])
    positive = torch.tensor([True, False])
    sim = similarity_matrix(feats, feats, "mse")
    gen = torch.Generator().manual_seed(0)
    # two references, both a: -(2 * (0 - (-0.16))) / (2^2 * 1)
    loss = code_loss(sim, channel, positive, 1, n=2, batch=1, generator=gen)
    assert float(loss) == pytest.approx(-0.08)
    no_negative = torch.tensor([True, True])
    assert code_loss(sim, channel, no_negative, 1, n=2, batch=1, generator=gen) is None


def test_loss_has_gradient_through_confidence():
    conf = torch.rand(1, 2, 8, 8, requires_grad=True)
    image = torch.rand(1, 3, 8, 8)
    patches = sample_patches(conf, 6, 4, 2, torch.Generator().manual_seed(1))
    feats = extract(image, conf, patches, 4)
    sim = similarity_matrix(feats, feats, "mse")
    loss = paper_loss(sim, patches.channel, patches.positive, 2)
    loss.backward()
    assert conf.grad is not None and float(conf.grad.abs().sum()) > 0


def test_images_rgba_16bit_and_bad_input():
    rgba = np.full((4, 4, 4), 255, dtype=np.uint8)
    assert to_unit_rgb(rgba).shape == (4, 4, 3)
    sixteen = np.full((4, 4, 3), 65535, dtype=np.uint16)
    assert to_unit_rgb(sixteen).max() == pytest.approx(1.0)
    assert prepare_image(np.zeros((2, 2, 3), np.uint8), 0.05).min() == pytest.approx(0.05)
    with pytest.raises(InputError, match="grey, RGB or RGBA"):
        to_unit_rgb(np.zeros((4, 4, 2), dtype=np.uint8))
    with pytest.raises(InputError, match="within"):
        to_unit_rgb(np.full((4, 4, 3), 2.0))


def test_postprocessing_removes_specks_and_labels_components():
    conf = np.zeros((40, 40))
    conf[5:15, 5:15] = 0.9
    conf[25:35, 25:35] = 0.9
    conf[2, 30] = 0.9  # speck removed by the r=3 opening
    labels = confidence_to_labels(conf, 0.5, 3, 1)
    assert labels.dtype == np.uint32 and labels.max() == 2
    assert labels[2, 30] == 0
    assert clean_mask(conf > 0.5, 0, 0).sum() == 201


def test_threshold_dice_and_fit_by_hand():
    grey = np.array([[0.1, 0.2], [0.6, 0.9]])
    mask = np.array([[True, True], [False, False]])
    dice = threshold_dice([grey], [mask], np.array([0.0, 0.15, 0.5, 1.0]))
    # t=0: empty pred -> 0; t=.15: 1 px -> 2/3; t=.5: exact -> 1; t=1: all -> 4/6
    assert dice.tolist() == pytest.approx([0.0, 2 / 3, 1.0, 2 / 3])
    fitted = fit_threshold([grey], [mask], 11)
    assert 0.2 < fitted["threshold"] <= 0.6 and fitted["train_dice"] == 1.0


def test_config_rejects_unknown_keys_and_bad_values():
    with pytest.raises(ValueError):
        ContrastiveConfig(unknown=1)
    with pytest.raises(ValueError):
        ContrastiveConfig(patch_size=400, crop_size=300)
    assert ContrastiveConfig().loss_variant == "paper"


def test_selection_windows_are_seeded_and_cover_the_image():
    from cellbench.methods.contrastive.train import selection_window

    shape = (64, 64, 3)
    assert selection_window(shape, 0, np.random.default_rng(0)) == (slice(None), slice(None))
    assert selection_window(shape, 64, np.random.default_rng(0)) == (slice(None), slice(None))
    a = [selection_window(shape, 16, np.random.default_rng(3)) for _ in range(2)]
    assert a[0] == a[1]
    starts = {
        (w[0].start, w[1].start)
        for w in (selection_window(shape, 16, np.random.default_rng(s)) for s in range(20))
    }
    assert len(starts) > 1 and all(0 <= y <= 48 and 0 <= x <= 48 for y, x in starts)


def test_run_names_round_trip():
    from cellbench.methods.contrastive import runs

    assert runs.run_seed(runs.csl_run(3)) == 3 and runs.run_seed(runs.cnn_run(7)) == 7
    assert runs.run_seed(runs.THRESHOLD_RUN) is None
    assert runs.model_file("threshold") == "model.json" and runs.model_file("seed0") == "model.pt"
    with pytest.raises(ValueError, match="not a contrastive run name"):
        runs.run_seed("kmc-k5-seed1")
