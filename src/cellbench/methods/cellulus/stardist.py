"""StarDist-style supervised network of paper 001, Fig. 5 / Appendix B (own implementation).

Targets (Schmidt et al. 2018): per object pixel the Euclidean distances to the object boundary
along ``n_rays`` equi-angular rays, and the object probability = distance to the background
normalised by its maximum within the object. Network: the mini U-Net of Appendix A at depth
``depth`` (paper 3) with 1 + n_rays outputs. Loss: binary cross-entropy on the probability plus
the probability-weighted mean absolute error of the distances (StarDist), both restricted to
annotated pixels. Decoding: local maxima of the probability above ``prob_threshold`` as
candidates, in order of decreasing probability each star-convex polygon is drawn and kept if at
most ``nms_overlap`` of its area is already claimed — a greedy non-maximum suppression on pixel
overlap instead of StarDist's polygon-IoU NMS (documented in docs/deviations.md).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage as ndi
from skimage.draw import polygon
from skimage.feature import peak_local_max

from cellbench.methods.cellulus.model import MiniUNet, output_size, valid_input_size


def ray_angles(n_rays: int) -> np.ndarray:
    return np.arange(n_rays) * 2 * np.pi / n_rays


def star_distances(labels: np.ndarray, n_rays: int, max_distance: int = 64) -> np.ndarray:
    """(n_rays, H, W) float32 distance from each object pixel to its boundary along each ray."""
    height, width = labels.shape
    out = np.zeros((n_rays, height, width), dtype=np.float32)
    ys, xs = np.nonzero(labels)
    if len(ys) == 0:
        return out
    own = labels[ys, xs]
    for k, angle in enumerate(ray_angles(n_rays)):
        dy, dx = np.sin(angle), np.cos(angle)
        distance = np.zeros(len(ys), dtype=np.float32)
        alive = np.ones(len(ys), dtype=bool)
        for step in range(1, max_distance + 1):
            y = np.rint(ys + step * dy).astype(np.int64)
            x = np.rint(xs + step * dx).astype(np.int64)
            inside = (y >= 0) & (y < height) & (x >= 0) & (x < width)
            same = np.zeros(len(ys), dtype=bool)
            same[inside] = labels[y[inside], x[inside]] == own[inside]
            stop = alive & ~same
            distance[stop] = step
            alive &= same
            if not alive.any():
                break
        distance[alive] = max_distance
        out[k, ys, xs] = distance
    return out


def object_probability(labels: np.ndarray) -> np.ndarray:
    """Distance to the background normalised to 1 at each object's most central pixel."""
    edt = ndi.distance_transform_edt(np.pad(labels, 1) > 0)[1:-1, 1:-1].astype(np.float32)
    if labels.max() == 0:
        return edt
    maxima = ndi.maximum(edt, labels, index=np.arange(1, labels.max() + 1))
    scale = np.concatenate([[1.0], np.maximum(maxima, 1e-6)])
    return np.where(labels > 0, edt / scale[labels], 0.0).astype(np.float32)


class StarDistNet(torch.nn.Module):
    """Valid-convolution U-Net → (probability logit, n_rays distances), same size as the input."""

    def __init__(
        self, in_channels: int, n_rays: int, num_fmaps: int, fmap_inc_factor: int, depth: int
    ):
        super().__init__()
        self.depth = depth
        self.unet = MiniUNet(
            in_channels, 1 + n_rays, num_fmaps, fmap_inc_factor, depth, zero_init_head=False
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) → (B, 1 + n_rays, H, W) by reflection padding to a valid input size."""
        height, width = x.shape[-2:]
        size = valid_input_size(max(height, width), self.depth)
        out = output_size(size, self.depth)
        assert out is not None
        before = (size - out) // 2
        pad = (before, size - width - before, before, size - height - before)
        mode = "reflect" if max(pad) < min(height, width) else "replicate"
        y = self.unet(torch.nn.functional.pad(x, pad, mode=mode))
        return y[..., :height, :width]


def stardist_loss(
    output: torch.Tensor,
    prob: torch.Tensor,
    dist: torch.Tensor,
    mask: torch.Tensor,
    dist_weight: float = 0.2,
) -> torch.Tensor:
    """BCE(prob) + dist_weight · prob-weighted L1(dist), over annotated pixels (mask = 1)."""
    logits, pred_dist = output[:, 0], output[:, 1:]
    denom = mask.sum().clamp(min=1.0)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, prob, reduction="none")
    bce = (bce * mask).sum() / denom
    l1 = (torch.abs(pred_dist - dist).mean(1) * prob * mask).sum() / denom
    return bce + dist_weight * l1


def decode(
    prob: np.ndarray, dist: np.ndarray, prob_threshold: float = 0.5, nms_overlap: float = 0.3
) -> np.ndarray:
    """Labels from probability (H, W) and distances (n_rays, H, W), greedy overlap suppression."""
    labels = np.zeros(prob.shape, dtype=np.uint32)
    peaks = peak_local_max(prob, min_distance=2, threshold_abs=prob_threshold, exclude_border=False)
    if len(peaks) == 0:
        return labels
    order = np.argsort(-prob[peaks[:, 0], peaks[:, 1]], kind="stable")
    angles = ray_angles(dist.shape[0])
    count = 0
    for y, x in peaks[order]:
        radii = np.maximum(dist[:, y, x], 0.5)
        rr, cc = polygon(y + radii * np.sin(angles), x + radii * np.cos(angles), shape=prob.shape)
        if len(rr) == 0:
            continue
        free = labels[rr, cc] == 0
        if 1 - free.mean() > nms_overlap:
            continue
        count += 1
        labels[rr[free], cc[free]] = count
    return labels
