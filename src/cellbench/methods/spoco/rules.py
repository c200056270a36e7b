"""Keys of each spoco job (rule params carry only these: an inference key never retrains)."""

from __future__ import annotations

from cellbench.methods.spoco.config import SpocoConfig

INFERENCE_KEYS = (
    "min_cluster_size",
    "min_size",
    "consistency_anchors",
    "consistency_iou",
    "mws_offsets",
    "max_pixels",
)
# Keys that name jobs (run lists) or only switch the method on; no job reads them.
RUN_KEYS = ("enabled", "datasets", "seeds", "modes", "clusterings", "foreground")
TRAIN_KEYS = tuple(k for k in SpocoConfig.model_fields if k not in INFERENCE_KEYS + RUN_KEYS)
