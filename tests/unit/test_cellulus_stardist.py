"""Fig. 5 of paper 001: StarDist-style targets, loss, decoding and the sparse/pseudo label sets."""

from __future__ import annotations

import numpy as np
import torch

from cellbench.methods.cellulus.stardist import (
    StarDistNet,
    at_threshold,
    decode,
    decode_scored,
    object_probability,
    star_distances,
    stardist_loss,
)
from cellbench.methods.cellulus.supported import (
    crop_batch,
    make_sample,
    pseudo_labels,
    pseudo_sample,
    sample_objects,
    sparse_labels,
    sparse_sample,
)


def _square() -> np.ndarray:
    labels = np.zeros((30, 30), dtype=np.int64)
    labels[10:21, 10:21] = 1
    return labels


def test_star_distances_of_a_square() -> None:
    dist = star_distances(_square(), n_rays=4)
    # centre (15, 15): rays at 0°, 90°, 180°, 270° leave the square after 6 steps.
    assert dist[:, 15, 15].tolist() == [6, 6, 6, 6]
    assert dist[0, 15, 20] == 1  # one step right of the right edge is outside
    assert dist[:, 0, 0].sum() == 0  # background


def test_object_probability() -> None:
    prob = object_probability(_square())
    assert prob[15, 15] == 1.0 and prob[0, 0] == 0 and 0 < prob[10, 15] < 0.5


def test_decode_recovers_square_and_loss() -> None:
    labels = _square()
    prob = object_probability(labels)
    dist = star_distances(labels, 16)
    decoded = decode(prob, dist, prob_threshold=0.5)
    iou = ((decoded > 0) & (labels > 0)).sum() / ((decoded > 0) | (labels > 0)).sum()
    assert decoded.max() == 1 and iou > 0.8
    net = StarDistNet(1, 16, num_fmaps=2, fmap_inc_factor=1, depth=2)
    out = net(torch.zeros(2, 1, 30, 30))
    assert out.shape == (2, 17, 30, 30)
    target = torch.from_numpy(prob)[None].repeat(2, 1, 1)
    loss = stardist_loss(
        out, target, torch.from_numpy(dist)[None].repeat(2, 1, 1, 1), torch.zeros(2, 30, 30)
    )
    assert loss.item() == 0  # nothing annotated → no loss


def test_sparse_and_pseudo_sets() -> None:
    truth = np.zeros((60, 60), dtype=np.int64)
    truth[5:15, 5:15] = 1
    truth[40:50, 40:50] = 2
    labels, mask = sparse_labels(truth, {1}, radius=10)
    assert set(np.unique(labels)) == {0, 1}
    assert mask[10, 10] == 1 and mask[20, 10] == 1 and mask[45, 45] == 0 and mask[59, 0] == 0
    prediction = np.zeros_like(truth)
    prediction[4:16, 4:12] = 7  # overlaps the annotated object → replaced
    prediction[41:49, 41:49] = 3  # kept
    pseudo = pseudo_labels(prediction, truth, {1})
    assert (pseudo[5:15, 5:15] > 0).all() and len(np.unique(pseudo[5:15, 5:15])) == 1
    assert pseudo[4, 4] == 0 and (pseudo[41:49, 41:49] == 3).all()
    chosen = sample_objects([truth, truth], 0.5, np.random.default_rng(0))
    assert sum(len(c) for c in chosen) == 2


def _touching() -> np.ndarray:
    labels = np.zeros((12, 20), dtype=np.int64)
    labels[1:10, 1:10] = 1
    labels[1:10, 10:19] = 2  # shares the column boundary 9|10 with object 1
    return labels


def test_object_probability_separates_touching_objects() -> None:
    prob = object_probability(_touching())
    # Per object (StarDist edt_prob): the pixel next to the neighbour is 1 px from outside, so
    # 1 / 5 of the centre's distance; a binary EDT of the union would give it 5 / 5.
    assert prob[5, 9] == prob[5, 10] == 0.2
    assert prob[5, 5] == prob[5, 14] == 1.0


def test_star_distances_stop_at_a_neighbour() -> None:
    dist = star_distances(_touching(), n_rays=4)
    assert dist[0, 5, 5] == 5  # ray at 0° leaves object 1 at column 10 (object 2)
    assert dist[2, 5, 14] == 5  # ray at 180° leaves object 2 at column 9


def test_decode_at_any_threshold_is_a_selection_of_the_lowest() -> None:
    rng = np.random.default_rng(0)
    prob = ndi_smooth(rng.random((40, 40)))
    dist = rng.uniform(1, 6, size=(8, 40, 40)).astype(np.float32)
    labels, scores = decode_scored(prob, dist, 0.1, 0.3)
    assert labels.max() == len(scores) - 1 > 3
    for threshold in (0.1, 0.4, 0.5, 0.6):
        direct = decode(prob, dist, threshold, 0.3)
        selected = at_threshold(labels, scores, threshold)
        assert np.array_equal(direct > 0, selected > 0)
        assert len(np.unique(direct)) == len(np.unique(selected))


def ndi_smooth(noise: np.ndarray) -> np.ndarray:
    from scipy import ndimage as ndi

    smooth = ndi.gaussian_filter(noise, 2)
    return (smooth - smooth.min()) / (smooth.max() - smooth.min())


def test_distance_bias_and_batch_norm() -> None:
    net = StarDistNet(1, 8, 2, 2, 2, batch_norm=True, dist_bias=7.5)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    head = net.unet.head[-1]
    assert head.bias[0] == 0 and torch.all(head.bias[1:] == 7.5)


def test_precomputed_targets_equal_targets_of_the_label_sets() -> None:
    truth = _touching()
    truth[10:12, 0:5] = 3
    prediction = np.zeros_like(truth)
    prediction[0:6, 0:8] = 4  # overlaps annotated object 1 → replaced
    prediction[2:11, 12:20] = 5  # overlaps object 2 only (not annotated) → kept
    image = np.zeros((1, *truth.shape), np.float32)
    ones = np.ones(truth.shape, np.float32)
    full, predicted = make_sample(image, truth, ones, 8), make_sample(image, prediction, ones, 8)
    chosen = {1, 3}
    sparse = sparse_sample(full, truth, chosen, radius=3)
    labels, mask = sparse_labels(truth, chosen, 3)
    direct = make_sample(image, labels, mask, 8)
    assert np.array_equal(sparse.prob, direct.prob) and np.array_equal(sparse.dist, direct.dist)
    assert np.array_equal(sparse.mask, direct.mask)
    pseudo = pseudo_sample(full, predicted, prediction, truth, chosen)
    direct = make_sample(image, pseudo_labels(prediction, truth, chosen), ones, 8)
    assert np.array_equal(pseudo.prob, direct.prob) and np.array_equal(pseudo.dist, direct.dist)


def test_crops_hold_an_annotated_pixel_and_their_context() -> None:
    labels = np.zeros((50, 60), dtype=np.int64)
    labels[40:44, 50:55] = 1
    mask = (labels > 0).astype(np.float32)
    sample = make_sample(np.random.default_rng(0).random((2, 50, 60), np.float32), labels, mask, 8)
    image, prob, dist, crop_mask = crop_batch([sample], 6, 16, np.random.default_rng(1), 4)
    assert image.shape == (6, 2, 24, 24) and prob.shape == crop_mask.shape == (6, 16, 16)
    assert dist.shape == (6, 8, 16, 16)
    assert (crop_mask.sum(dim=(1, 2)) > 0).all()
