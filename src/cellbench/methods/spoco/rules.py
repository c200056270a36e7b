"""Keys of each spoco job (rule params carry only these: an inference key never retrains)."""

from __future__ import annotations

from cellbench.methods.contract import PER_RUN_KEYS
from cellbench.methods.spoco.config import SpocoConfig, run_name

INFERENCE_KEYS = (
    "min_cluster_size",
    "min_size",
    "consistency_anchors",
    "consistency_iou",
    "mws_offsets",
    "max_pixels",
)
# Keys that name jobs (run lists) or only switch the method on; no job reads them.
RUN_KEYS = (*PER_RUN_KEYS, "seeds", "modes", "clusterings", "foreground")
TRAIN_KEYS = tuple(k for k in SpocoConfig.model_fields if k not in INFERENCE_KEYS + RUN_KEYS)


def training_runs(cfg: SpocoConfig) -> list[str]:
    """Trained networks of a dataset (``cfg`` its config): one per mode and seed."""
    return [run_name(mode, seed) for mode in cfg.modes for seed in cfg.seeds]


def prediction_runs(cfg: SpocoConfig) -> list[str]:
    """Prediction runs of a dataset: every network × clustering × foreground."""
    return [
        f"{run}-{clustering}-{fg}fg"
        for run in training_runs(cfg)
        for clustering in cfg.clusterings
        for fg in cfg.foreground
    ]
