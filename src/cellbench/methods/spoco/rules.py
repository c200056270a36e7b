"""Rule params of spoco: each job gets only the keys it reads (an inference key never retrains)."""

from __future__ import annotations

from typing import Any

from cellbench.methods.spoco.config import SpocoConfig

INFERENCE_KEYS = (
    "clusterings",
    "foreground",
    "min_cluster_size",
    "min_size",
    "consistency_anchors",
    "consistency_iou",
    "mws_offsets",
    "max_pixels",
    "tile_size",
)
RUN_LISTS = ("datasets", "seeds", "modes")


def training_params(cfg: SpocoConfig | None) -> dict[str, Any]:
    """The configuration without inference-only keys and run lists (those name the jobs)."""
    if cfg is None:
        return {}
    data = cfg.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in INFERENCE_KEYS + RUN_LISTS}


def inference_params(cfg: SpocoConfig | None) -> dict[str, Any]:
    """The clustering keys read by ``spoco_predict`` (margins come from the model's config)."""
    if cfg is None:
        return {}
    data = cfg.model_dump(mode="json")
    return {k: data[k] for k in INFERENCE_KEYS}
