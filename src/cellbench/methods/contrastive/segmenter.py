"""Inference of a trained CSL run: selected channel → threshold → post-processing → instances."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from cellbench.device import select_device
from cellbench.errors import InputError
from cellbench.methods.contrastive import threshold
from cellbench.methods.contrastive.checkpoint import build_network, load_checkpoint
from cellbench.methods.contrastive.images import prepare_image
from cellbench.methods.contrastive.model import ConfidenceNetwork
from cellbench.methods.contrastive.postprocess import confidence_to_labels
from cellbench.methods.contrastive.select import confidence_maps
from cellbench.methods.contrastive.threshold import ThresholdSegmenter


@dataclass
class NetworkSegmenter:
    """A confidence network and the channel that is the nuclei (CSL: selected; CNN: 0)."""

    model: ConfidenceNetwork
    channel: int
    threshold: float
    epsilon: float
    opening_radius: int
    closing_radius: int
    device: torch.device

    def confidence(self, image: np.ndarray) -> np.ndarray:
        """(H, W) confidence of the selected channel."""
        prepared = prepare_image(image, self.epsilon)
        if prepared.shape[-1] != self.model.stem[0].in_channels:
            raise InputError(
                None,
                f"image has {prepared.shape[-1]} channels, the model expects "
                f"{self.model.stem[0].in_channels}",
            )
        return confidence_maps(self.model, prepared, self.device)[self.channel]

    def segment(self, image: np.ndarray) -> np.ndarray:
        return confidence_to_labels(
            self.confidence(image), self.threshold, self.opening_radius, self.closing_radius
        )


def segmenter_from_record(record: dict, device: str) -> NetworkSegmenter:
    """Segmenter of a CSL or CNN checkpoint record (post-processing radii stored with it)."""
    dev = select_device(device)
    return NetworkSegmenter(
        model=build_network(record).to(dev),
        channel=int(record["channel"]),
        threshold=float(record["threshold"]),
        epsilon=float(record["epsilon"]),
        opening_radius=int(record["opening_radius"]),
        closing_radius=int(record["closing_radius"]),
        device=dev,
    )


def load(model_path: str | Path, device: str = "auto") -> NetworkSegmenter | ThresholdSegmenter:
    """The segmenter of any contrastive model file: a CSL or supervised-CNN checkpoint
    (``model.pt``) or an intensity-threshold model (``model.json``)."""
    if Path(model_path).suffix == ".json":
        return threshold.load(model_path)
    return segmenter_from_record(load_checkpoint(model_path, ("csl", "cnn")), device)
