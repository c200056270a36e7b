"""The trained network with the watershed post-processing, applied to images of any size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cellbench.device import select_device
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.images import to_rgb_float
from cellbench.methods.deepng.model_io import load_model
from cellbench.methods.deepng.postprocess import postprocess
from cellbench.models.resnet_unet import DIVISOR, ResNetUNet


class Segmenter:
    """A trained deepng network with the watershed post-processing of Section II-C."""

    def __init__(self, model: ResNetUNet, cfg: DeepNGConfig, device: torch.device) -> None:
        self.model = model.eval()
        self.cfg = cfg
        self.device = device

    def probabilities(self, image: np.ndarray) -> np.ndarray:
        """Softmax (3, H, W) of an image of any size (zero-padded to a multiple of 32)."""
        rgb = to_rgb_float(image)
        height, width = rgb.shape[:2]
        pad_y, pad_x = (-height) % DIVISOR, (-width) % DIVISOR
        rgb = np.pad(rgb, ((0, pad_y), (0, pad_x), (0, 0)))
        x = torch.from_numpy(rgb.transpose(2, 0, 1).copy())[None].to(self.device)
        with torch.no_grad():
            probs = F.softmax(self.model(x).float(), dim=1)[0].cpu().numpy()
        return probs[:, :height, :width]

    def segment(self, image: np.ndarray) -> np.ndarray:
        """Instance labels (H, W) of one image at its own size (the shared prediction code
        rescales it to the training scale first: :mod:`cellbench.methods.predict`)."""
        return postprocess(self.probabilities(np.asarray(image)), self.cfg.postprocess)


def load(model_path: str | Path, device: str = "auto") -> Segmenter:
    """Load ``model.pt`` (baseline or retrained) as a :class:`Segmenter`."""
    torch_device = select_device(device)
    model, cfg, _ = load_model(model_path, torch_device)
    return Segmenter(model, cfg, torch_device)
