"""Rules ``contrastive*_predict``: segment a dataset's test split with CSL, CNN or threshold.

Post-processing radii are inference-only keys: they are passed here, not stored with the
model, so changing them never retrains.
"""

from __future__ import annotations

from pathlib import Path

from cellbench.data.layout import PreparedDataset
from cellbench.methods.contrastive import threshold
from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.segmenter import load_network_segmenter
from cellbench.methods.predict import file_sha256, split_image_ids, write_predictions
from cellbench.provenance import provenance

METHOD_KINDS = {
    "contrastive": "csl",
    "contrastive_cnn": "cnn",
    "contrastive_threshold": "threshold",
}


def predict(
    method: str,
    model_path: str | Path,
    dataset_root: str | Path,
    out_dir: str | Path,
    cfg: ContrastiveConfig,
    device: str = "auto",
    seed: int | None = None,
    config_digest: str | None = None,
) -> list[Path]:
    """Write ``out_dir/<image_id>.tif`` for the test split (labels at the image's size)."""
    kind = METHOD_KINDS[method]
    if kind == "threshold":
        segmenter = threshold.load(model_path)
    else:
        segmenter = load_network_segmenter(model_path, kind, device, cfg)
    dataset = PreparedDataset(dataset_root)
    record = {
        "method": method,
        "dataset": dataset.name,
        "model": str(model_path),
        "model_sha256": file_sha256(model_path),
        "scale": 1.0,
        "opening_radius": cfg.opening_radius,
        "closing_radius": cfg.closing_radius,
        "provenance": provenance(config_digest=config_digest, seed=seed, device=device),
    }
    return write_predictions(segmenter, dataset, split_image_ids(dataset, "test"), out_dir, record)
