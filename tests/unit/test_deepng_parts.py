"""deepng building blocks: targets, augmentations, post-processing, network shapes, config."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cellbench.methods.deepng.augment import augment, random_crop
from cellbench.methods.deepng.config import AugmentConfig, DeepNGConfig, PostprocessConfig
from cellbench.methods.deepng.images import to_rgb_float
from cellbench.methods.deepng.postprocess import postprocess
from cellbench.methods.deepng.targets import BACKGROUND, BORDER, CELL, three_class_targets
from cellbench.models.resnet_unet import EncoderClassifier, ResNetEncoder, ResNetUNet


def test_targets_ring_and_touching_objects():
    labels = np.zeros((7, 9), dtype=np.uint16)
    labels[1:6, 1:4] = 1
    labels[1:6, 4:8] = 2  # touches object 1 along a vertical line
    t = three_class_targets(labels)
    assert t[0, 0] == BACKGROUND
    assert t[3, 2] == CELL and t[3, 5] == CELL and t[3, 6] == CELL
    assert t[3, 3] == BORDER and t[3, 4] == BORDER  # both sides of the contact
    assert t[1, 2] == BORDER and t[3, 1] == BORDER  # outer ring
    assert set(np.unique(t[labels == 0])) == {BACKGROUND}
    big = np.zeros((12, 12), dtype=np.uint16)
    big[1:11, 1:11] = 1
    thick = three_class_targets(big, width=2)
    assert thick[2, 5] == BORDER and thick[3, 5] == CELL and thick[1, 5] == BORDER
    assert (thick == CELL).sum() == 6 * 6


def test_postprocess_splits_touching_cells_and_drops_weak_ones():
    probs = np.zeros((3, 40, 60), dtype=np.float32)
    probs[0] = 1.0

    def put(y0, y1, x0, x1, cell, border):
        probs[:, y0:y1, x0:x1] = 0
        probs[1, y0:y1, x0:x1] = cell
        probs[2, y0:y1, x0:x1] = border

    put(5, 25, 5, 20, 0.1, 0.9)  # border ring region of cell A...
    put(7, 23, 7, 18, 0.95, 0.05)  # ...with a confident core
    put(5, 25, 20, 35, 0.1, 0.9)
    put(7, 23, 22, 33, 0.95, 0.05)  # touching cell B
    put(30, 38, 45, 55, 0.5, 0.0)  # weak blob: no seed → background
    probs[0] = 1.0 - probs[1] - probs[2]
    labels = postprocess(probs, PostprocessConfig())
    assert labels.max() == 2
    assert labels[15, 10] != labels[15, 28] and labels[15, 10] > 0 and labels[15, 28] > 0
    assert labels[34, 50] == 0 and labels[0, 0] == 0


def test_postprocess_removes_low_mean_instances():
    probs = np.zeros((3, 20, 20), dtype=np.float32)
    probs[0] = 1.0
    probs[:, 2:18, 2:18] = [[[0.45]], [[0.55]], [[0.0]]]  # mean foreground 0.55 < 0.6
    probs[:, 9:11, 9:11] = [[[0.1]], [[0.9]], [[0.0]]]
    assert postprocess(probs).max() == 0


def test_augment_keeps_pairs_aligned():
    rng = np.random.default_rng(0)
    image = rng.random((32, 48, 3)).astype(np.float32)
    target = (image[..., 0] > 0.5).astype(np.uint8)
    cfg = AugmentConfig(p_channel_swap=0, p_invert=0, p_rotate=1, p_flip=1, p_scale=0)
    out, t = augment(image, target, rng, cfg)
    np.testing.assert_array_equal(t, (out[..., 0] > 0.5).astype(np.uint8))
    crop, tc = random_crop(out, t, 64, rng)
    assert crop.shape == (64, 64, 3) and tc.shape == (64, 64)


def test_encoder_shapes_and_size():
    torch.manual_seed(0)
    encoder = ResNetEncoder()
    n_params = sum(p.numel() for p in encoder.parameters())
    assert 23.4e6 < n_params < 23.6e6  # ResNet-50 without the fc layer: 23.5 M
    net = ResNetUNet().eval()
    with torch.no_grad():
        assert net.encode(torch.zeros(1, 3, 256, 256)).shape == (1, 2048, 8, 8)
        assert net(torch.zeros(1, 3, 64, 96)).shape == (1, 3, 64, 96)
        assert EncoderClassifier(net.encoder, 5)(torch.zeros(2, 3, 64, 64)).shape == (2, 5)
    with pytest.raises(ValueError):
        net(torch.zeros(1, 3, 50, 64))


@pytest.mark.parametrize(("name", "millions"), [("resnet18", 11.2), ("resnet34", 21.3)])
def test_lighter_encoders(name, millions):
    torch.manual_seed(0)
    encoder = ResNetEncoder(name=name)
    n_params = sum(p.numel() for p in encoder.parameters())
    assert abs(n_params / 1e6 - millions) < 0.1  # torchvision's counts without the fc layer
    net = ResNetUNet(encoder=name).eval()
    with torch.no_grad():
        assert net.encode(torch.zeros(1, 3, 64, 64)).shape == (1, 512, 2, 2)
        assert net(torch.zeros(1, 3, 64, 96)).shape == (1, 3, 64, 96)
        assert EncoderClassifier(net.encoder, 3)(torch.zeros(2, 3, 64, 64)).shape == (2, 3)
    with pytest.raises(ValueError, match="unknown encoder"):
        ResNetEncoder(name="resnet101")


def test_normalization_dtype_and_percentile():
    image = np.zeros((10, 100, 4), dtype=np.uint8)
    image[..., :3] = np.arange(100, dtype=np.uint8)[None, :, None]  # 0..99, dim
    image[..., 3] = 255  # alpha is dropped and does not enter the percentiles
    dtype = to_rgb_float(image, "dtype")
    assert dtype.shape == (10, 100, 3) and dtype.max() == pytest.approx(99 / 255)
    pct = to_rgb_float(image, "percentile")
    low, high = np.percentile(image[..., :3], [1.0, 99.8])  # not the alpha channel
    assert high < 100
    assert pct[0, 50, 0] == pytest.approx((50 - low) / (high - low))
    assert pct.min() == 0.0 and pct.max() == 1.0
    assert to_rgb_float(np.full((4, 4), 7, np.uint16), "percentile").max() == 0.0


def test_config_roundtrip_and_defaults():
    cfg = DeepNGConfig.from_dict({"scale": 0.5, "retraining": {"epochs": 2}, "datasets": ["x"]})
    assert cfg.scale == 0.5 and cfg.retraining.epochs == 2 and cfg.retraining.lr == 0.01
    assert DeepNGConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.segmentation.epochs == 50 and cfg.features.draws == 5000
    with pytest.raises(ValueError):
        DeepNGConfig.from_dict({"retraining": {"epoch": 2}})


def test_run_grid():
    from cellbench.methods.deepng.config import DeepNGConfig
    from cellbench.methods.deepng.runs import baseline_run, fig2_run, parse_run, retrained_runs

    cfg = DeepNGConfig(algorithms=["kmc", "gng"], k=[2, 5], gng_start=[5], seeds=[0, 1])
    assert retrained_runs(cfg) == [
        "kmc-k2-seed0",
        "kmc-k2-seed1",
        "kmc-k5-seed0",
        "kmc-k5-seed1",
        "gng-k5-seed0",
        "gng-k5-seed1",
    ]
    assert baseline_run(cfg) == "baseline-seed0" and fig2_run(cfg) == "kmc-k5-seed0"
    assert parse_run("gng-k5-seed1").seed == 1 and parse_run("baseline-seed3").k is None
    with pytest.raises(ValueError, match="not a deepng run name"):
        parse_run("ng-seed1")


def test_shared_prediction_rescales_to_the_training_scale_and_back():
    """The segmenter never rescales; the shared code segments at methods.deepng.scale."""
    from cellbench.methods.deepng.segmenter import Segmenter
    from cellbench.methods.predict import segment_image

    class Recorder(ResNetUNet):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            self.seen = tuple(x.shape[-2:])
            logits = torch.zeros(x.shape[0], 3, *x.shape[-2:])
            logits[:, 1, 8:24, 8:24] = 10.0  # one confident cell in the top-left corner
            logits[:, 0] = 5.0 * (logits[:, 1] == 0)
            return logits

    model = Recorder()
    segmenter = Segmenter(model, DeepNGConfig.from_dict({"scale": 0.5}), torch.device("cpu"))
    image = np.zeros((96, 128, 3), dtype=np.uint8)
    assert segmenter.segment(image).shape == (96, 128) and model.seen == (96, 128)
    labels = segment_image(segmenter, image, scale=0.5)
    assert model.seen == (64, 64)  # 48 × 64 padded to multiples of 32
    assert labels.shape == (96, 128) and labels.max() == 1
    assert labels[16:48, 16:48].all() and labels.sum() == 32 * 32


class ConstantNet(ResNetUNet):
    """Logits with P(cell) = ``p_cell`` inside a fixed square, background elsewhere."""

    def __init__(self, p_cell: float) -> None:
        super().__init__(encoder="resnet18")
        self.p_cell = p_cell

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        probs = torch.zeros(x.shape[0], 3, *x.shape[-2:])
        probs[:, 0] = 1.0
        probs[:, :, 4:20, 4:20] = torch.tensor([0.0, self.p_cell, 1.0 - self.p_cell])[:, None, None]
        return torch.log(probs.clamp_min(1e-6))


def test_validation_check_flags_a_network_without_objects(caplog):
    from cellbench.methods.deepng.sanity import validation_check
    from cellbench.methods.deepng.segmenter import probabilities

    labels = np.zeros((32, 32), dtype=np.uint16)
    labels[4:20, 4:20] = 1
    image = np.zeros((32, 32, 3), np.float32)

    def maps(p_cell: float) -> list[np.ndarray]:
        return [probabilities(ConstantNet(p_cell), image, torch.device("cpu"))] * 2

    cfg = DeepNGConfig()
    with caplog.at_level("ERROR"):
        weak = validation_check(maps(0.7), [labels] * 2, cfg)
    assert weak["no_objects"] and weak["objects"] == 0 and weak["ground_truth_objects"] == 2
    assert weak["p_cell_in_objects_max"] == pytest.approx(0.7, abs=1e-4)
    assert "FINDS NO OBJECT" in caplog.text
    caplog.clear()
    strong = validation_check(maps(0.9), [labels] * 2, cfg)
    assert not strong["no_objects"] and strong["objects"] == 2 and "FINDS NO" not in caplog.text
