"""Per-epoch model selection on the training images' labels (paper §3.2, "Experiments").

After every epoch the confidence maps are thresholded at 0.5 and the Dice of each channel is
computed per image and averaged over images; the best (epoch, channel) is kept. The paper does
this on the *training* labels: the method trains without labels but selects with them.
"""

from __future__ import annotations

import numpy as np
import torch

from cellbench.methods.contrastive.model import ConfidenceNetwork


def binary_dice(pred: np.ndarray, truth: np.ndarray) -> float:
    """2|P∩T| / (|P| + |T|); both empty → 1.0."""
    den = int(pred.sum()) + int(truth.sum())
    return 1.0 if den == 0 else 2.0 * int(np.logical_and(pred, truth).sum()) / den


@torch.no_grad()
def confidence_maps(
    model: ConfidenceNetwork, image: np.ndarray, device: torch.device
) -> np.ndarray:
    """(K, H, W) confidence of one prepared (H, W, C) image, eval mode."""
    model.eval()
    x = torch.from_numpy(image).permute(2, 0, 1)[None].to(device)
    return model(x)[0].float().cpu().numpy()


def channel_dice(
    model: ConfidenceNetwork,
    images: list[np.ndarray],
    masks: list[np.ndarray],
    threshold: float,
    device: torch.device,
) -> np.ndarray:
    """Mean over images of the per-image Dice of every channel: shape (K,)."""
    scores = []
    for image, mask in zip(images, masks, strict=True):
        conf = confidence_maps(model, image, device)
        scores.append([binary_dice(c > threshold, mask) for c in conf])
    return np.asarray(scores).mean(axis=0)
