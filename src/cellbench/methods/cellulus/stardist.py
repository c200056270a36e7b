"""StarDist-style supervised network of paper 001, Fig. 5 / Appendix B (own implementation).

Targets (Schmidt et al. 2018): per object pixel the Euclidean distances to the object boundary
along ``n_rays`` equi-angular rays, and the object probability = distance to the nearest pixel
outside the object (another object or the background) normalised by its maximum within the
object. Network: the mini U-Net of Appendix A at depth
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
        distance = np.full(len(ys), max_distance, dtype=np.float32)
        alive = np.arange(len(ys))  # rays still inside their object
        for step in range(1, max_distance + 1):
            y = np.rint(ys[alive] + step * dy).astype(np.int64)
            x = np.rint(xs[alive] + step * dx).astype(np.int64)
            same = (y >= 0) & (y < height) & (x >= 0) & (x < width)
            same[same] = labels[y[same], x[same]] == own[alive[same]]
            distance[alive[~same]] = step
            alive = alive[same]
            if len(alive) == 0:
                break
        out[k, ys, xs] = distance
    return out


def object_probability(labels: np.ndarray) -> np.ndarray:
    """Per-object distance to the nearest pixel outside the object, normalised to 1 at its most
    central pixel (StarDist's ``edt_prob``): touching objects are separated by their boundary,
    and the image border counts as outside."""
    out = np.zeros(labels.shape, dtype=np.float32)
    for label, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None:
            continue
        inside = np.pad(labels[box] == label, 1)
        edt = ndi.distance_transform_edt(inside)[1:-1, 1:-1]
        peak = edt.max()
        if peak > 0:
            region = out[box]
            own = inside[1:-1, 1:-1]
            region[own] = edt[own] / peak
    return out


class StarDistNet(torch.nn.Module):
    """Valid-convolution U-Net → (probability logit, n_rays distances), same size as the input.

    ``dist_bias`` starts every distance output at that value (in px; the paper is silent on
    initialisation): from 0, Adam moves the output bias by at most the learning rate per step,
    so distances of ~8 px take thousands of steps to reach before anything object-specific is
    learned. ``batch_norm``: BatchNorm after each convolution (not in the paper; an option).
    """

    def __init__(
        self,
        in_channels: int,
        n_rays: int,
        num_fmaps: int,
        fmap_inc_factor: int,
        depth: int,
        *,
        batch_norm: bool = False,
        dist_bias: float = 0.0,
    ):
        super().__init__()
        self.depth = depth
        self.unet = MiniUNet(
            in_channels,
            1 + n_rays,
            num_fmaps,
            fmap_inc_factor,
            depth,
            zero_init_head=False,
            batch_norm=batch_norm,
        )
        with torch.no_grad():
            self.unet.head[-1].bias[1:] = dist_bias

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


def decode_scored(
    prob: np.ndarray, dist: np.ndarray, min_prob: float, nms_overlap: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and each label's probability (index = label; 0 for the background).

    Candidates are the local maxima of ``prob`` ≥ ``min_prob``; in order of decreasing
    probability each star-convex polygon is drawn on the pixels still free, and dropped when more
    than ``nms_overlap`` of it is already claimed. A candidate's fate depends only on the
    candidates before it, so decoding at any threshold t ≥ ``min_prob`` equals keeping the labels
    whose probability is ≥ t (:func:`at_threshold`).
    """
    labels = np.zeros(prob.shape, dtype=np.uint32)
    peaks = peak_local_max(prob, min_distance=2, threshold_abs=min_prob, exclude_border=False)
    order = np.argsort(-prob[peaks[:, 0], peaks[:, 1]], kind="stable")
    angles = ray_angles(dist.shape[0])
    scores = [0.0]
    for y, x in peaks[order]:
        radii = np.maximum(dist[:, y, x], 0.5)
        rr, cc = polygon(y + radii * np.sin(angles), x + radii * np.cos(angles), shape=prob.shape)
        if len(rr) == 0:
            continue
        free = labels[rr, cc] == 0
        if 1 - free.mean() > nms_overlap:
            continue
        labels[rr[free], cc[free]] = len(scores)
        scores.append(float(prob[y, x]))
    return labels, np.asarray(scores, dtype=np.float64)


def at_threshold(labels: np.ndarray, scores: np.ndarray, threshold: float) -> np.ndarray:
    """The decoding at probability threshold ``threshold`` from :func:`decode_scored`'s output."""
    keep = scores >= threshold
    keep[0] = False
    return np.where(keep[labels], labels, 0).astype(np.uint32)


def decode(
    prob: np.ndarray, dist: np.ndarray, prob_threshold: float = 0.5, nms_overlap: float = 0.3
) -> np.ndarray:
    """Labels from probability (H, W) and distances (n_rays, H, W), greedy overlap suppression."""
    return decode_scored(prob, dist, prob_threshold, nms_overlap)[0]
