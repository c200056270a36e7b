"""Loading a trained cellulus checkpoint and segmenting images with it (paper 001, §3.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from cellbench.checkpoints import read_checkpoint as read_checkpoint_of
from cellbench.device import select_device
from cellbench.errors import InputError
from cellbench.methods.cellulus.config import CellulusConfig
from cellbench.methods.cellulus.data import IntensityRange, normalise
from cellbench.methods.cellulus.infer import (
    Embedding,
    embed,
    foreground_flag,
    segment_embedding,
)
from cellbench.methods.cellulus.model import MiniUNet
from cellbench.methods.cellulus.train import build_model


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """A cellulus checkpoint (:func:`cellbench.checkpoints.read_checkpoint`)."""
    return read_checkpoint_of(path, "cellulus checkpoint", markers={"method": ["cellulus"]})


def model_from_checkpoint(
    checkpoint: dict[str, Any], device: torch.device
) -> tuple[MiniUNet, CellulusConfig]:
    config = CellulusConfig.from_dict(checkpoint["config"])
    model = build_model(config, int(checkpoint["in_channels"]))
    model.load_state_dict(checkpoint["state_dict"])
    return model.to(device).eval(), config


class CellulusSegmenter:
    """``segment(image)`` → uint32 labels; noise and mean-shift sampling seeded per call."""

    def __init__(
        self,
        model: MiniUNet,
        config: CellulusConfig,
        *,
        bandwidth: float,
        shrink: int,
        seed: int,
        device: torch.device,
        training: dict[str, Any] | None = None,
        intensity_range: IntensityRange | None = None,
    ) -> None:
        self.training_range = intensity_range
        self.model = model
        self.training = training or {}
        self.foreground_fractions: list[float] = []
        self.foreground_failures = 0
        self.config = config
        self.bandwidth = bandwidth
        self.shrink = shrink
        self.seed = seed
        self.device = device
        self.check_range()

    def _by_split(self) -> bool:
        return "dataset" in (self.config.normalisation, self.config.inference_normalisation)

    def check_range(self) -> None:
        """Fail early where the config normalises by the training split's range and none is
        stored."""
        if self._by_split() and self.training_range is None:
            raise ValueError(
                "normalisation or inference_normalisation 'dataset' needs the training split's "
                "intensity range (stored by cellulus_train; retrain an older checkpoint)"
            )

    @property
    def intensity_range(self) -> IntensityRange | None:
        """The training split's range where the config normalises test images by it, else None
        (each image by its own percentiles). Read per call: selection swaps the config's
        inference keys after loading."""
        self.check_range()
        return self.training_range if self._by_split() else None

    def embed(self, image: np.ndarray) -> Embedding:
        """Mean offsets, std and foreground of one raw image (noise seeded by ``seed``)."""
        rng = np.random.default_rng([self.seed, 3])
        data = normalise(
            image, self.config.percentile_low, self.config.percentile_high, self.intensity_range
        )
        if data.shape[0] != self.model.down[0][0].in_channels:
            raise InputError(
                None,
                f"image has {data.shape[0]} channel(s), model expects {self.model.down[0][0].in_channels}",
            )
        return embed(self.model, data, self.config, rng, self.device)

    def segment_embedding(self, embedding: Embedding) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 4])
        return segment_embedding(
            embedding, bandwidth=self.bandwidth, shrink=self.shrink, config=self.config, rng=rng
        )

    def check_foreground(self, embedding: Embedding) -> None:
        """Record the foreground fraction of one image; warn if the std cue failed."""
        self.foreground_fractions.append(float(embedding.foreground.mean()))
        self.foreground_failures += foreground_flag(
            embedding.foreground, self.config.max_foreground_fraction
        )

    def segment(self, image: np.ndarray) -> np.ndarray:
        embedding = self.embed(image)
        self.check_foreground(embedding)
        return self.segment_embedding(embedding)

    def diagnostics(self) -> dict[str, Any]:
        """Health of this network and of the images segmented so far (kept with predictions)."""
        losses = self.training.get("epoch_losses", [])
        fractions = self.foreground_fractions
        return {
            "loss_first_epoch": losses[0] if losses else None,
            "loss_last_epoch": losses[-1] if losses else None,
            "loss_flat": bool(self.training.get("loss_flat", False)),
            "images": len(fractions),
            "foreground_fraction_median": float(np.median(fractions)) if fractions else None,
            "foreground_fraction_max": max(fractions) if fractions else None,
            "foreground_failures": self.foreground_failures,
            "max_foreground_fraction": self.config.max_foreground_fraction,
        }


def load(model_path: str | Path, device: str = "auto") -> CellulusSegmenter:
    """Segmenter of a checkpoint written by ``cellulus_train``/``cellulus_select``."""
    checkpoint = read_checkpoint(model_path)
    torch_device = select_device(device)
    model, config = model_from_checkpoint(checkpoint, torch_device)
    return CellulusSegmenter(
        model,
        config,
        bandwidth=float(checkpoint["bandwidth"]),
        shrink=int(checkpoint["shrink"]),
        seed=int(checkpoint["seed"]),
        device=torch_device,
        training=checkpoint.get("training"),
        intensity_range=checkpoint.get("intensity_range"),
    )
