"""cellulus (paper 001) data handling and inference steps: normalisation, noise, tiling,
mean-shift on a toy embedding, shrink, size filter."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cellbench.methods.cellulus.config import CellulusConfig
from cellbench.methods.cellulus.data import normalise, random_batch, random_crop
from cellbench.methods.cellulus.infer import (
    Embedding,
    add_salt_and_pepper,
    even_tile,
    foreground_mask,
    mean_shift,
    postprocess,
    predict_offsets,
    remove_small,
    shrink_objects,
)
from cellbench.methods.cellulus.model import MiniUNet


def test_normalise_percentiles_per_channel() -> None:
    image = np.stack([np.arange(1000.0).reshape(25, 40), 5 * np.arange(1000.0).reshape(25, 40)], -1)
    out = normalise(image.astype(np.uint16), 1.0, 99.8)
    assert out.shape == (2, 25, 40) and out.dtype == np.float32
    for channel in out:
        assert np.percentile(channel, 1) == np.float32(0) or abs(np.percentile(channel, 1)) < 1e-5
        assert abs(np.percentile(channel, 99.8) - 1) < 1e-5
    assert np.all(normalise(np.full((5, 5), 7)) == 0)  # constant image


def test_normalise_by_a_fixed_range_and_the_split_range() -> None:
    """normalisation "dataset": every image by the percentiles of all pixels of the split."""
    from cellbench.methods.cellulus.data import intensity_range

    dim = np.arange(100.0).reshape(10, 10)
    bright = 3 * dim
    low, high = intensity_range([dim, bright], 0.0, 100.0)
    assert (low, high) == ([0.0], [297.0])
    out = normalise(dim, fixed=(low, high))
    assert out.dtype == np.float32 and out[0, 9, 9] == np.float32(99 / 297)
    # per image, both would reach 1; by the split's range the dim one stays dim
    assert normalise(dim)[0].max() == normalise(bright)[0].max()
    assert normalise(bright, fixed=(low, high))[0, 9, 9] == 1
    two_channels = np.stack([dim, bright], -1)
    assert intensity_range([two_channels], 0.0, 100.0) == ([0.0, 0.0], [99.0, 297.0])


def test_dataset_normalisation_needs_the_stored_range() -> None:
    from cellbench.methods.cellulus.segmenter import CellulusSegmenter

    config = CellulusConfig(normalisation="dataset")
    model = MiniUNet(1, 2, 4, 2, depth=1)
    with pytest.raises(ValueError, match="needs the training split's intensity range"):
        CellulusSegmenter(model, config, bandwidth=5, shrink=0, seed=0, device=torch.device("cpu"))


def test_random_crop_and_batch_seeded() -> None:
    images = [np.random.default_rng(0).random((1, 30, 20)).astype(np.float32)]
    crop = random_crop(images[0], 24, np.random.default_rng(1))
    assert crop.shape == (1, 24, 24)  # padded in x
    b1 = random_batch(images, 3, 16, np.random.default_rng(2))
    b2 = random_batch(images, 3, 16, np.random.default_rng(2))
    assert b1.shape == (3, 1, 16, 16) and np.array_equal(b1, b2)


def test_salt_and_pepper_fraction() -> None:
    image = np.full((2, 100, 100), 0.25, dtype=np.float32)
    noisy = add_salt_and_pepper(image, 0.01, 1.0, np.random.default_rng(0))
    changed = noisy[0] != 0.25
    assert changed.sum() == 100  # exactly 1% of the pixels
    assert np.array_equal(changed, noisy[1] != 0.25)  # same pixels in every channel
    assert np.all(noisy[0][changed] == 1.0)
    assert np.all(image == 0.25)  # input untouched


def test_tiled_prediction_matches_whole_image() -> None:
    torch.manual_seed(0)
    model = MiniUNet(1, 2, num_fmaps=4, fmap_inc_factor=2).eval()
    images = np.random.default_rng(0).random((2, 1, 70, 90)).astype(np.float32)
    whole = predict_offsets(model, images, 512, torch.device("cpu"))
    tiled = predict_offsets(model, images, 32, torch.device("cpu"))
    assert whole.shape == (2, 2, 70, 90)
    np.testing.assert_allclose(whole, tiled, atol=1e-5)


@pytest.mark.parametrize(
    ("side", "tile"), [(256, 256), (320, 160), (192, 192), (1100, 220), (257, 130), (7, 8)]
)
def test_even_tile_is_the_fewest_equal_tiles(side: int, tile: int) -> None:
    assert even_tile(side, 256) == tile


def _toy_embedding() -> tuple[Embedding, np.ndarray]:
    """Two objects whose pixels all point to their centre; background elsewhere."""
    truth = np.zeros((40, 60), dtype=np.int64)
    truth[5:20, 5:20] = 1
    truth[22:37, 30:50] = 2
    grid = np.mgrid[0:40, 0:60].astype(np.float32)
    offsets = np.zeros((2, 40, 60), dtype=np.float32)
    for label in (1, 2):
        mask = truth == label
        centre = grid[:, mask].mean(axis=1)
        offsets[:, mask] = (
            centre[:, None]
            - grid[:, mask]
            + 0.3 * np.random.default_rng(label).standard_normal((2, mask.sum()))
        )
    return Embedding(offsets, np.where(truth > 0, 0.1, 1.0), truth > 0), truth


def test_mean_shift_on_toy_embedding() -> None:
    embedding, truth = _toy_embedding()
    labels = mean_shift(embedding, bandwidth=3.0, fraction=0.1, rng=np.random.default_rng(0))
    assert labels[truth == 0].max() == 0
    for label in (1, 2):
        values = np.unique(labels[truth == label])
        assert len(values) == 1 and values[0] > 0
    assert labels[truth == 1][0] != labels[truth == 2][0]
    again = mean_shift(embedding, bandwidth=3.0, fraction=0.1, rng=np.random.default_rng(0))
    assert np.array_equal(labels, again)


def test_shrink_keeps_touching_boundaries() -> None:
    labels = np.zeros((20, 30), dtype=np.int64)
    labels[5:15, 5:15] = 1
    labels[5:15, 15:25] = 2
    shrunk = shrink_objects(labels, 2)
    assert np.array_equal(shrunk[7:13, 7:13], labels[7:13, 7:13])
    assert shrunk[5:7].max() == 0 and shrunk[:, 5:7].max() == 0  # background side eroded
    assert shrunk[10, 14] == 1 and shrunk[10, 15] == 2  # shared boundary kept
    assert np.array_equal(shrink_objects(labels, 0), labels)


def test_size_filter_and_relabel() -> None:
    labels = np.zeros((30, 30), dtype=np.int64)
    labels[0:10, 0:10] = 3
    labels[20:22, 20:22] = 7
    assert set(np.unique(remove_small(labels, 5))) == {0, 3}
    out = postprocess(labels, 0, bandwidth=2.0, min_size_fraction=0.5)  # min size 2π ≈ 6.3 px
    assert out.dtype == np.uint32 and set(np.unique(out)) == {0, 1}


def test_size_filter_drops_small_fragments_of_a_large_object() -> None:
    labels = np.zeros((30, 30), dtype=np.int64)
    labels[0:10, 0:10] = 3
    labels[20:22, 20:22] = 3  # a 4 px stray fragment of the same cluster
    out = remove_small(labels, 5)
    assert out[0:10, 0:10].min() == 3 and out[20:22, 20:22].max() == 0


def test_foreground_log_otsu_resists_a_heavy_background_tail() -> None:
    # As measured on a briefly trained network: objects std ≈ 0.45, background log-normal
    # around 8 with a long tail.
    rng = np.random.default_rng(0)
    objects = np.zeros((60, 60), dtype=bool)
    objects[:20, :30] = True
    std = np.where(
        objects,
        rng.lognormal(np.log(0.45), 0.4, objects.shape),
        rng.lognormal(np.log(8.0), 1.0, objects.shape),
    )
    plain = foreground_mask(std, "otsu")
    robust = foreground_mask(std, "log_otsu")
    assert plain[objects].all() and robust[objects].all()
    assert (plain & ~objects).sum() == 2711  # the tail drags the threshold into the background
    assert (robust & ~objects).sum() == 463
    assert not foreground_mask(np.ones((4, 4))).any()


def test_config_rejects_passes_that_do_not_split_over_the_noise_values() -> None:
    with pytest.raises(ValueError, match="must split evenly over noise_values"):
        CellulusConfig(num_passes=9)
    assert CellulusConfig(num_passes=9, noise_values=[0.5, 0.75, 1.0]).num_passes == 9


def test_vectorised_mean_shift_matches_scikit_learn() -> None:
    from sklearn.cluster import MeanShift

    from cellbench.methods.cellulus.meanshift import assign, mean_shift_modes

    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 100, (12, 2))
    points = np.concatenate(
        [c + rng.normal(0, 2.0, (60, 2)) for c in centres] + [rng.uniform(0, 100, (40, 2))]
    )
    for bandwidth in (3.0, 6.0):
        reference = MeanShift(bandwidth=bandwidth, bin_seeding=True).fit(points)
        ours = mean_shift_modes(points, bandwidth)
        assert ours.shape == reference.cluster_centers_.shape
        np.testing.assert_allclose(ours, reference.cluster_centers_, atol=1e-8)
        assert np.array_equal(assign(points, ours), reference.labels_)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_squared_distances_equal_the_broadcast_sum_bit_for_bit(dtype: type) -> None:
    """The per-coordinate distances keep every mean-shift fit and assignment unchanged."""
    from cellbench.distances import squared_distances

    rng = np.random.default_rng(2)
    points = (rng.normal(0, 40.0, (500, 2))).astype(dtype)
    centres = rng.normal(0, 40.0, (30, 2))
    reference = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    np.testing.assert_array_equal(squared_distances(points, centres), reference)


@pytest.mark.parametrize(("bin_size", "min_bin_freq"), [(3.0, 1), (2.0, 3), (1e-6, 1)])
def test_bin_seeds_are_scikit_learns(bin_size: float, min_bin_freq: int) -> None:
    """Same seeds, same order, same dtype, negative coordinates and the all-singleton case too."""
    import warnings

    from sklearn.cluster import get_bin_seeds

    from cellbench.methods.cellulus.meanshift import bin_seeds

    points = np.random.default_rng(1).normal(0, 4.0, (300, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns when every bin holds one point
        reference = get_bin_seeds(points, bin_size, min_bin_freq)
    ours = bin_seeds(points, bin_size, min_bin_freq)
    assert ours.dtype == reference.dtype
    np.testing.assert_array_equal(ours, reference)


def test_mean_shift_fit_is_capped(monkeypatch) -> None:
    """The fit never sees more than max_points points; every foreground pixel is still labelled."""
    import cellbench.methods.cellulus.infer as infer

    seen: list[int] = []
    real = infer.mean_shift_modes

    def spy(points: np.ndarray, bandwidth: float) -> np.ndarray:
        seen.append(len(points))
        return real(points, bandwidth)

    monkeypatch.setattr(infer, "mean_shift_modes", spy)
    embedding, truth = _toy_embedding()
    labels = mean_shift(embedding, 3.0, fraction=1.0, rng=np.random.default_rng(0), max_points=100)
    assert seen == [100]
    assert (labels[truth > 0] > 0).all() and len(np.unique(labels[truth > 0])) == 2


def test_foreground_flag_and_flat_loss_guards(caplog) -> None:
    from cellbench.methods.cellulus.infer import foreground_flag
    from cellbench.methods.cellulus.train import loss_flat

    mostly = np.ones((10, 10), dtype=bool)
    mostly[0, :5] = False  # 95% foreground
    assert foreground_flag(mostly, 0.5) and "FOREGROUND FAILURE" in caplog.text
    assert not foreground_flag(~mostly, 0.5)
    # 0.930 is the loss of a constant offset field (no learning) for kappa 10, tau 10.
    assert loss_flat([0.93007, 0.93001], 0.01) and "TRAINING FAILURE" in caplog.text
    assert not loss_flat([0.929, 0.853], 0.01)
    assert not loss_flat([0.93], 0.01)


def test_std_smoothing_removes_speckle() -> None:
    """A few isolated stable pixels in the background are foreground only without smoothing."""
    rng = np.random.default_rng(0)
    std = rng.uniform(2.0, 4.0, (64, 64))
    std[20:40, 20:40] = rng.uniform(0.1, 0.3, (20, 20))  # the object
    std[5, 5] = std[5, 50] = std[50, 5] = 0.1  # speckle
    raw = foreground_mask(std, "log_otsu")
    smooth = foreground_mask(std, "log_otsu", smoothing=1.5)
    assert raw[5, 5] and raw[5, 50] and raw[50, 5]
    assert not (smooth[5, 5] or smooth[5, 50] or smooth[50, 5])
    assert smooth[25:35, 25:35].all()
