"""Fig. 5 of paper 001: StarDist-style targets, loss, decoding and the sparse/pseudo label sets."""

from __future__ import annotations

import numpy as np
import torch

from cellbench.methods.cellulus.stardist import (
    StarDistNet,
    decode,
    object_probability,
    star_distances,
    stardist_loss,
)
from cellbench.methods.cellulus.supported import pseudo_labels, sample_objects, sparse_labels


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
