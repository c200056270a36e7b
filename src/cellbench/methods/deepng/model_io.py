"""Saving and loading deepng model files (state dict, config, seed, provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from cellbench.checkpoints import read_checkpoint
from cellbench.io import atomic_path
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.models.resnet_unet import ResNetUNet
from cellbench.provenance import config_hash, provenance


def save_model(
    path: str | Path,
    model: ResNetUNet,
    cfg: DeepNGConfig,
    seed: int,
    *,
    run: str,
    device: str,
    config_digest: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write ``model.pt`` atomically: CPU state dict, config, seed, run name and provenance."""
    payload = {
        "method": "deepng",
        "run": run,
        "state_dict": {key: value.detach().cpu() for key, value in model.state_dict().items()},
        "config": cfg.to_dict(),
        "seed": seed,
        "provenance": provenance(
            config_digest=config_digest or config_hash(cfg.to_dict()), seed=seed, device=device
        ),
        **(extra or {}),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return Path(path)


def load_model(
    path: str | Path, device: torch.device | str = "cpu"
) -> tuple[ResNetUNet, DeepNGConfig, dict[str, Any]]:
    """Model (in eval mode, on ``device``), its config and the whole payload."""
    payload = read_checkpoint(path, "deepng model file", markers={"method": ["deepng"]})
    cfg = DeepNGConfig.from_dict(payload["config"])
    model = ResNetUNet(encoder=cfg.encoder)
    model.load_state_dict(payload["state_dict"])
    model.to(device).eval()
    return model, cfg, payload
