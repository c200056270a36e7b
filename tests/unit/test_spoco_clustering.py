"""spoco clusterings on toy embeddings: exact golden results and hand-computed affinities."""

from __future__ import annotations

import numpy as np
import pytest

from cellbench.methods.spoco import clustering
from cellbench.metrics.cvppp import sbd


def _toy(noise: float = 0.03, dim: int = 16) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.zeros((60, 60), int)
    labels[5:25, 5:25] = 1
    labels[30:55, 10:50] = 2
    labels[5:25, 35:55] = 3
    centers = rng.normal(size=(4, dim)) * 3
    emb = centers[labels].transpose(2, 0, 1) + rng.normal(scale=noise, size=(dim, 60, 60))
    return emb.astype(np.float32), labels


def test_affinities_by_hand() -> None:
    emb = np.array([[[0.0, 1.0, 4.0]]])  # D=1, H=1, W=3
    affs = clustering.embedding_affinities(emb, [(0, 1), (1, 0)], delta_d=2.0)
    # distances 1 and 3: ((4 − 1)/4)², ((4 − 3)/4)²; partner outside the image → 0
    assert affs[0, 0].tolist() == pytest.approx([0.5625, 0.0625, 0.0])
    assert affs[1].tolist() == [[0.0, 0.0, 0.0]]
    assert clustering.mws_offsets([3, 9]) == [(1, 0), (0, 1), (3, 0), (0, 3), (9, 0), (0, 9)]


@pytest.mark.parametrize("name", ["mws", "hdbscan", "meanshift"])
def test_clusterings_recover_toy_objects(name: str) -> None:
    # mean-shift in 2-D: with bin seeding (bins of size δv) a bin centre can lie > δv from every
    # embedding in 16-D, and such a seed is dropped (sklearn), so 16-D clusters can get lost.
    emb, labels = _toy(dim=2 if name == "meanshift" else 16)
    func = {
        "mws": clustering.cluster_mws,
        "hdbscan": clustering.cluster_hdbscan,
        "meanshift": clustering.cluster_meanshift,
    }[name]
    out = func(emb)
    assert out.dtype == np.uint32 and out.max() == 3  # background = largest cluster dropped
    assert sbd(labels, out) == 1.0
    with_fg = func(emb, labels > 0)
    assert sbd(labels, with_fg) == 1.0 and not with_fg[labels == 0].any()


def test_consistency_clustering_drops_inconsistent_cluster() -> None:
    emb, labels = _toy(dim=2)
    assert sbd(labels, clustering.cluster_consistency(emb, emb + 0.01)) == 1.0
    g = emb.copy()
    g[:, 30:55, 10:30] += 2.0  # object 2 splits in g: its median IoU is 0.5 < 0.6
    out = clustering.cluster_consistency(emb, g)
    assert out.max() == 2 and not out[labels == 2].any()
    with pytest.raises(ValueError, match="shape"):
        clustering.cluster_consistency(emb, g[:, :10])


def test_subsampled_fit_labels_every_pixel() -> None:
    emb, labels = _toy()
    out = clustering.cluster_hdbscan(emb, min_cluster_size=20, max_pixels=500, seed=1)
    assert sbd(labels, out) == 1.0


def test_subsampled_hdbscan_min_cluster_size_counts_image_pixels() -> None:
    """Regression: 400-pixel objects get ~55 of 500 sampled pixels; a min cluster size of 200
    image pixels must not turn them into noise (it did before it was scaled to the sample)."""
    emb, labels = _toy()
    out = clustering.cluster_hdbscan(emb, min_cluster_size=200, max_pixels=500, seed=1)
    assert sbd(labels, out) == 1.0


def test_mws_min_size_and_empty() -> None:
    emb, _ = _toy()
    emb[:, 58:60, 58:60] += 40.0  # a 4-pixel spurious segment
    assert clustering.cluster_mws(emb, min_size=10).max() == 3
    empty = np.zeros((16, 8, 8), np.float32)
    assert clustering.cluster_hdbscan(empty, np.zeros((8, 8), bool)).max() == 0


def test_consistency_background_chosen_before_the_consistency_test() -> None:
    """Regression: a background that fails the consistency test (scattered in g) must not make
    the largest object the background (it did: every object but the two small ones was lost)."""
    emb, labels = _toy(dim=2)
    g = emb.copy()
    rng = np.random.default_rng(1)
    g[:, labels == 0] += rng.normal(scale=3.0, size=(2, int((labels == 0).sum())))
    out = clustering.cluster_consistency(emb, g)
    assert out.max() == 3 and sbd(labels, out) == 1.0
