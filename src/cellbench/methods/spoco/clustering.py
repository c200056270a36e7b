"""The four clusterings of spoco embeddings (paper §3.3, App. A.4, Tables 14/15).

Each function takes an embedding image (D, H, W) and returns uint32 labels (H, W), 0 =
background. Without a foreground mask the largest cluster is the background (w/o FG rows);
with one (GT FG rows) only its pixels are clustered.
"""

from __future__ import annotations

import mwatershed
import numpy as np
from skimage.segmentation import relabel_sequential

# hdbscan and scikit-learn (~1.5 s to import) are imported by the clusterings that use them
# only: a job that runs the mutex watershed alone never loads them.


def _pixels(emb: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(N, D) embeddings of the pixels to cluster and their flat indices."""
    flat = emb.reshape(emb.shape[0], -1).T
    idx = np.flatnonzero(mask) if mask is not None else np.arange(flat.shape[0])
    return np.ascontiguousarray(flat[idx], dtype=np.float64), idx


def _subsample_fit(
    points: np.ndarray, fit, max_pixels: int, rng: np.random.Generator
) -> np.ndarray:
    """Cluster labels of ``points``; above ``max_pixels`` fit on a random subset and give every
    other point the label of its nearest fitted point."""
    if not max_pixels or len(points) <= max_pixels:
        return fit(points)
    from sklearn.neighbors import NearestNeighbors

    pick = rng.choice(len(points), size=max_pixels, replace=False)
    labels = fit(points[pick])
    nearest = (
        NearestNeighbors(n_neighbors=1).fit(points[pick]).kneighbors(points, return_distance=False)
    )
    return labels[nearest[:, 0]]


def finish(
    cluster_ids: np.ndarray, idx: np.ndarray, shape: tuple[int, int], drop_largest: bool
) -> np.ndarray:
    """Labels image from per-pixel cluster ids (negative = noise → 0); optionally the largest
    cluster becomes background; consecutive uint32 labels."""
    out = np.zeros(int(np.prod(shape)), dtype=np.int64)
    out[idx] = np.where(cluster_ids >= 0, cluster_ids + 1, 0)
    if drop_largest and out.any():
        counts = np.bincount(out)
        counts[0] = 0
        out[out == counts.argmax()] = 0
    return relabel_sequential(out.reshape(shape))[0].astype(np.uint32)


def cluster_hdbscan(
    emb: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    min_cluster_size: int = 200,
    epsilon: float = 0.5,
    max_pixels: int = 0,
    seed: int = 0,
) -> np.ndarray:
    """HDBSCAN (min_cluster_size, cluster_selection_epsilon = δv, noise → 0), App. A.4.

    Fitted on a subsample (``max_pixels``), the minimum cluster size shrinks with the sampled
    fraction, so that it still means the same number of image pixels.
    """
    points, idx = _pixels(emb, mask)
    if len(points) < 2:
        return np.zeros(emb.shape[1:], dtype=np.uint32)

    import hdbscan

    def fit(x: np.ndarray) -> np.ndarray:
        sampled = min_cluster_size * len(x) / len(points)
        size = max(2, min(round(sampled), len(x)))
        return hdbscan.HDBSCAN(
            min_cluster_size=size, cluster_selection_epsilon=float(epsilon)
        ).fit_predict(x)

    ids = _subsample_fit(points, fit, max_pixels, np.random.default_rng(seed))
    return finish(ids, idx, emb.shape[1:], drop_largest=mask is None)


def _meanshift_ids(points: np.ndarray, bandwidth: float, max_pixels: int, seed: int) -> np.ndarray:
    from sklearn.cluster import MeanShift

    def fit(x: np.ndarray) -> np.ndarray:
        return MeanShift(bandwidth=bandwidth, bin_seeding=True, cluster_all=True).fit_predict(x)

    return _subsample_fit(points, fit, max_pixels, np.random.default_rng(seed))


def cluster_meanshift(
    emb: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    bandwidth: float = 0.5,
    max_pixels: int = 0,
    seed: int = 0,
) -> np.ndarray:
    """Mean-shift with bandwidth δv and bin seeding (App. A.4)."""
    points, idx = _pixels(emb, mask)
    if len(points) < 2:
        return np.zeros(emb.shape[1:], dtype=np.uint32)
    ids = _meanshift_ids(points, bandwidth, max_pixels, seed)
    return finish(ids, idx, emb.shape[1:], drop_largest=mask is None)


def consistency_keep(
    ids: np.ndarray,
    g_points: np.ndarray,
    delta_v: float,
    n_anchors: int,
    min_iou: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Algorithm 1: keep cluster k iff the median IoU between it and the hard δv-balls in g
    around ``n_anchors`` of its random pixels is ≥ ``min_iou``. Returns the kept cluster ids."""
    kept = []
    for k in np.unique(ids[ids >= 0]):
        members = ids == k
        where = np.flatnonzero(members)
        anchors = rng.choice(where, size=min(n_anchors, len(where)), replace=False)
        ious = []
        for a in anchors:
            ball = np.linalg.norm(g_points - g_points[a], axis=1) < delta_v
            inter = np.count_nonzero(ball & members)
            ious.append(inter / np.count_nonzero(ball | members))
        if np.median(ious) >= min_iou:
            kept.append(k)
    return np.asarray(kept, dtype=np.int64)


def cluster_consistency(
    emb_f: np.ndarray,
    emb_g: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    delta_v: float = 0.5,
    n_anchors: int = 100,
    min_iou: float = 0.6,
    max_pixels: int = 0,
    seed: int = 0,
) -> np.ndarray:
    """Consistency clustering (App. A.4, Algorithm 1): mean-shift on f, clusters inconsistent in g dropped."""
    if emb_f.shape != emb_g.shape:
        raise ValueError(f"f and g embeddings differ in shape: {emb_f.shape} vs {emb_g.shape}")
    points, idx = _pixels(emb_f, mask)
    if len(points) < 2:
        return np.zeros(emb_f.shape[1:], dtype=np.uint32)
    g_points, _ = _pixels(emb_g, mask)
    ids = _meanshift_ids(points, delta_v, max_pixels, seed)
    if mask is None and (ids >= 0).any():
        # The background (largest cluster) is chosen before the consistency test: dropping it
        # afterwards would remove the largest *object* whenever the background itself failed.
        ids = np.where(ids == np.bincount(ids[ids >= 0]).argmax(), -1, ids)
    kept = consistency_keep(ids, g_points, delta_v, n_anchors, min_iou, np.random.default_rng(seed))
    ids = np.where(np.isin(ids, kept), ids, -1)
    return finish(ids, idx, emb_f.shape[1:], drop_largest=False)


def embedding_affinities(
    emb: np.ndarray, offsets: list[tuple[int, int]], delta_d: float
) -> np.ndarray:
    """Eq. 12: a = ([2δd − ‖e_i − e_{i+o}‖]₊ / 2δd)² per non-negative offset o, shape
    (len(offsets), H, W); pixels whose partner lies outside the image get 0."""
    _, h, w = emb.shape
    affs = np.zeros((len(offsets), h, w), dtype=np.float64)
    for k, (dy, dx) in enumerate(offsets):
        if dy < 0 or dx < 0:
            raise ValueError(f"offsets must be non-negative, got {(dy, dx)}")
        if dy >= h or dx >= w:
            continue
        dist = np.linalg.norm(emb[:, : h - dy, : w - dx] - emb[:, dy:, dx:], axis=0)
        affs[k, : h - dy, : w - dx] = (np.clip(2 * delta_d - dist, 0, None) / (2 * delta_d)) ** 2
    return affs


def mws_offsets(long_range: list[int]) -> list[tuple[int, int]]:
    """Direct neighbours (1, 0), (0, 1) followed by the long-range offsets along each axis."""
    return [(1, 0), (0, 1)] + [o for r in long_range for o in ((r, 0), (0, r))]


def cluster_mws(
    emb: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    delta_d: float = 2.0,
    long_range: tuple[int, ...] = (3, 9, 27),
    min_size: int = 0,
) -> np.ndarray:
    """Affinity-based clustering (App. A.4): mutex watershed (``mwatershed``) on Eq. 12 affinities.

    Direct-neighbour edges are attractive with weight a, long-range edges repulsive with weight
    1 − a (Wolf et al. 2018); segments below ``min_size`` pixels become background.
    """
    offsets = mws_offsets(list(long_range))
    affs = embedding_affinities(emb, offsets, delta_d)
    signed = affs.copy()
    signed[2:] -= 1.0  # repulsive long-range edges: −(1 − a)
    seg = np.asarray(mwatershed.agglom(signed, [list(o) for o in offsets]), dtype=np.int64)
    seg = relabel_sequential(seg)[0]
    if mask is not None:
        seg[~mask] = 0
    if min_size:
        counts = np.bincount(seg.ravel())
        seg[counts[seg] < min_size] = 0
    flat = seg.ravel()
    idx = np.flatnonzero(flat)
    return finish(flat[idx] - 1, idx, emb.shape[1:], drop_largest=mask is None)
