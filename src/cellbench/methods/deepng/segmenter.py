"""The trained network with the watershed post-processing, applied to images of any size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from cellbench.device import select_device
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.images import to_rgb_float
from cellbench.methods.deepng.model_io import load_model
from cellbench.methods.deepng.postprocess import postprocess
from cellbench.models.resnet_unet import DIVISOR, ResNetUNet


def probabilities(model: ResNetUNet, rgb: np.ndarray, device: torch.device) -> np.ndarray:
    """Softmax (3, H, W) of a normalised (H, W, 3) image of any size (zero-padded to a
    multiple of 32)."""
    height, width = rgb.shape[:2]
    padded = np.pad(rgb, ((0, (-height) % DIVISOR), (0, (-width) % DIVISOR), (0, 0)))
    x = torch.from_numpy(padded.transpose(2, 0, 1).copy())[None].to(device)
    with torch.no_grad():
        probs = F.softmax(model(x).float(), dim=1)[0].cpu().numpy()
    return probs[:, :height, :width]


class Segmenter:
    """A trained deepng network with the watershed post-processing of Section II-C."""

    def __init__(
        self,
        model: ResNetUNet,
        cfg: DeepNGConfig,
        device: torch.device,
        validation: dict[str, Any] | None = None,
    ) -> None:
        self.model = model.eval()
        self.cfg = cfg
        self.device = device
        self.validation = validation

    def diagnostics(self) -> dict[str, Any]:
        """The training-time object check (:mod:`cellbench.methods.deepng.sanity`); the shared
        prediction code records it with the predictions, and so in the evaluation summary."""
        return {"validation": self.validation} if self.validation else {}

    def probabilities(self, rgb: np.ndarray) -> np.ndarray:
        """Softmax (3, H, W) of a normalised (H, W, 3) image of any size."""
        return probabilities(self.model, rgb, self.device)

    def segment(self, image: np.ndarray) -> np.ndarray:
        """Instance labels (H, W) of one image at its own size (the shared prediction code
        rescales it to the training scale first: :mod:`cellbench.methods.predict`)."""
        rgb = to_rgb_float(np.asarray(image), self.cfg.normalization)
        return postprocess(self.probabilities(rgb), self.cfg.postprocess)


def load(model_path: str | Path, device: str = "auto") -> Segmenter:
    """Load ``model.pt`` (baseline or retrained) as a :class:`Segmenter`."""
    torch_device = select_device(device)
    model, cfg, payload = load_model(model_path, torch_device)
    return Segmenter(model, cfg, torch_device, payload.get("validation"))
