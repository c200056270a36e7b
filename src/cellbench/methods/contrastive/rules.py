"""Rule parameters of contrastive: each job gets only the configuration keys it reads."""

from __future__ import annotations

from typing import Any

from cellbench.methods.contrastive.config import ContrastiveConfig

# Keys read only at inference (changing them must not retrain).
INFERENCE_KEYS = ("opening_radius", "closing_radius")
# Keys of the pipeline's shape, not of any one job.
PIPELINE_KEYS = ("datasets", "seeds")
THRESHOLD_KEYS = ("epsilon", "threshold_grid")


def train_params(cfg: ContrastiveConfig) -> dict[str, Any]:
    """Everything a training job reads (CSL and CNN)."""
    return cfg.model_dump(exclude=set(INFERENCE_KEYS + PIPELINE_KEYS + ("threshold_grid",)))


def threshold_params(cfg: ContrastiveConfig) -> dict[str, Any]:
    return {key: getattr(cfg, key) for key in THRESHOLD_KEYS}


def predict_params(cfg: ContrastiveConfig) -> dict[str, Any]:
    return {key: getattr(cfg, key) for key in INFERENCE_KEYS}
