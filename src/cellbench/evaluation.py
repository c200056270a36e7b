"""The one evaluation shared by every method: prediction files on disk → metrics files.

Reads ``<pred_dir>/<image_id>.tif`` for every scored test image of a prepared dataset (labelled,
not partially annotated), checks that every prediction exists and matches its ground truth's
shape *before* computing anything, and writes a per-image CSV and a summary JSON (pooled
metrics, metrics per group, the metric definitions and provenance).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tifffile

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import atomic_path, read_image, read_labels, tifffile_problems
from cellbench.methods.predict import PROVENANCE_FILE
from cellbench.metrics import dataset_scores, image_scores, metric_parameters
from cellbench.provenance import provenance

log = logging.getLogger(__name__)
RUN_SEED = re.compile(r"seed(\d+)$")


def run_seed(run: str) -> int | None:
    """Seed encoded at the end of a run name (``kmc-k5-seed3`` → 3); None if there is none."""
    match = RUN_SEED.search(run)
    return int(match.group(1)) if match else None


def label_shape(path: Path) -> tuple[int, ...]:
    """Shape of a label image (TIFF headers only; other formats are decoded)."""
    if path.suffix.lower() not in (".tif", ".tiff"):
        return read_image(path).shape
    try:
        with tifffile_problems() as problems, tifffile.TiffFile(path) as tif:
            shape = tuple(tif.pages[0].shape)
    except Exception as exc:
        raise InputError(path, f"cannot be read as a TIFF ({exc})") from exc
    if problems:
        raise InputError(path, f"cannot be read as a TIFF (damaged: {problems[0]})")
    return shape


def check_pairs(pairs: list[tuple[str, str, Path, Path]]) -> None:
    """Fail, naming the files, if a prediction is missing or its shape differs from its GT.

    ``pairs`` holds (image_id, group, ground-truth path, prediction path). Runs before any
    metric is computed.
    """
    folders = sorted({pred.parent for _, _, _, pred in pairs})
    for folder in folders:
        if not folder.is_dir():
            raise InputError(folder, "prediction folder not found")
    missing = [pred for _, _, _, pred in pairs if not pred.is_file()]
    if missing:
        listed = ", ".join(str(p) for p in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InputError(missing[0].parent, f"{len(missing)} prediction file(s) missing: {listed}")
    for _, _, gt, pred in pairs:
        gt_shape, pred_shape = label_shape(gt), label_shape(pred)
        if gt_shape != pred_shape:
            raise InputError(
                pred,
                f"prediction shape {pred_shape} differs from ground truth shape {gt_shape} of {gt}",
            )


def score_pairs(pairs: list[tuple[str, str, Path, Path]]) -> pd.DataFrame:
    """Per-image metrics (one row per image, with its group)."""
    check_pairs(pairs)
    rows = []
    for image_id, group, gt, pred in pairs:
        scores = image_scores(read_labels(gt), read_labels(pred))
        rows.append({"image_id": image_id, "group": group, **scores})
    return pd.DataFrame(rows)


def dataset_pairs(
    dataset: PreparedDataset, pred_dir: Path, split: str = "test"
) -> list[tuple[str, str, Path, Path]]:
    """Scored images of a prepared dataset: labelled, fully annotated, in ``split``."""
    image_ids = dataset.evaluation_ids(split)
    if not image_ids:
        raise InputError(
            dataset.root / "index.tsv", f"no fully annotated images in split {split!r}"
        )
    return [
        (i, str(dataset.row(i)["group"]), dataset.labels_path(i), pred_dir / f"{i}.tif")
        for i in image_ids
    ]


def folder_pairs(gt_dir: Path, pred_dir: Path) -> list[tuple[str, str, Path, Path]]:
    """A plain folder of ground-truth label images against predictions with the same stems."""
    if not gt_dir.is_dir():
        raise InputError(
            gt_dir,
            "ground truth not found: expected a prepared dataset or a folder of label images",
        )
    gts = sorted(p for p in gt_dir.iterdir() if p.suffix.lower() in (".tif", ".tiff", ".png"))
    if not gts:
        raise InputError(gt_dir, "no label images (.tif/.tiff/.png) found")
    pairs = []
    for gt in gts:
        candidates = [pred_dir / f"{gt.stem}{s}" for s in (".tif", ".tiff", ".png")]
        pred = next((c for c in candidates if c.is_file()), candidates[0])
        pairs.append((gt.stem, "all", gt, pred))
    return pairs


def summarise(per_image: pd.DataFrame) -> dict[str, Any]:
    """Pooled metrics over all images and per group."""
    records = per_image.drop(columns=["image_id", "group"]).to_dict("records")
    groups = {
        str(group): dataset_scores(frame.drop(columns=["image_id", "group"]).to_dict("records"))
        for group, frame in per_image.groupby("group", sort=True)
    }
    return {"metrics": dataset_scores(records), "groups": groups}


def evaluate(
    dataset_root: str | Path,
    pred_dir: str | Path,
    per_image_csv: str | Path,
    summary_json: str | Path,
    *,
    method: str,
    run: str,
    config_digest: str | None = None,
    split: str = "test",
) -> dict[str, Any]:
    """Score ``pred_dir`` against the ground truth of ``dataset_root`` and write both files."""
    dataset = PreparedDataset(dataset_root)
    pred_dir = Path(pred_dir)
    pairs = dataset_pairs(dataset, pred_dir, split)
    log.info("scoring %d images of %s (%s, run %s)", len(pairs), dataset.name, method, run)
    per_image = score_pairs(pairs)
    prediction_provenance_path = pred_dir / PROVENANCE_FILE
    summary = {
        "method": method,
        "dataset": dataset.name,
        "run": run,
        "split": split,
        "n_images": len(pairs),
        "dataset_incomplete": list(dataset.info.extra.get("incomplete", [])),
        **summarise(per_image),
        "metric_parameters": metric_parameters(),
        "provenance": provenance(config_digest=config_digest, seed=run_seed(run), device="cpu"),
        "prediction_provenance": (
            json.loads(prediction_provenance_path.read_text())
            if prediction_provenance_path.is_file()
            else None
        ),
    }
    with atomic_path(per_image_csv) as tmp:
        per_image.to_csv(tmp, index=False)
    with atomic_path(summary_json) as tmp:
        tmp.write_text(json.dumps(summary, indent=2, default=_json_default) + "\n")
    return summary


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
