"""The one evaluation shared by every method: prediction files on disk → metrics files.

Reads ``<pred_dir>/<image_id>.tif`` for every labelled test image of a prepared dataset, checks
that every prediction exists and matches its ground truth's shape *before* computing anything,
and writes a per-image CSV and a summary JSON (pooled metrics, metrics per group, the metric
definitions, how many images and objects each score used, and provenance).

Partially annotated frames (CTC) are scored as the Cell Tracking Challenge does: SEG is defined
per ground-truth object, so it pools every annotated object of every annotated frame, partial
frames included; F1, AP and every other score that counts false positives use only the fully
annotated frames (a prediction on an unannotated object of a partial frame is not an error).

A dataset annotated with points (``DatasetInfo.annotation == "points"``, e.g. bone-marrow
dataset A) is scored by dot detection (:func:`cellbench.metrics.nuclei.dot_detection`, one dot
per object); the summary's ``annotation`` says which kind was scored.
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
from cellbench.io import atomic_path, read_image, read_labels, tifffile_problems, write_json
from cellbench.metrics import dataset_scores, image_scores, metric_parameters
from cellbench.metrics.nuclei import dot_detection, dot_parameters, pooled_dot_detection
from cellbench.provenance import PROVENANCE_FILE, provenance

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


Pair = tuple[str, str, Path, Path, bool]
"""(image_id, group, ground-truth path, prediction path, partially annotated)."""


def check_present(predictions: list[Path]) -> None:
    """Fail, naming them, if a prediction folder or file is missing."""
    for folder in sorted({path.parent for path in predictions}):
        if not folder.is_dir():
            raise InputError(folder, "prediction folder not found")
    missing = [path for path in predictions if not path.is_file()]
    if missing:
        listed = ", ".join(str(p) for p in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InputError(missing[0].parent, f"{len(missing)} prediction file(s) missing: {listed}")


def check_pairs(pairs: list[Pair]) -> None:
    """Fail, naming the files, if a prediction is missing or its shape differs from its GT.

    Runs before any metric is computed.
    """
    check_present([pair[3] for pair in pairs])
    for _, _, gt, pred, _ in pairs:
        gt_shape, pred_shape = label_shape(gt), label_shape(pred)
        if gt_shape != pred_shape:
            raise InputError(
                pred,
                f"prediction shape {pred_shape} differs from ground truth shape {gt_shape} of {gt}",
            )


def score_pairs(pairs: list[Pair]) -> pd.DataFrame:
    """Per-image metrics (one row per image, with its group and its ``partial`` flag)."""
    check_pairs(pairs)
    rows = []
    for image_id, group, gt, pred, partial in pairs:
        scores = image_scores(read_labels(gt), read_labels(pred))
        rows.append({"image_id": image_id, "group": group, "partial": partial, **scores})
    return pd.DataFrame(rows)


def score_points(dataset: PreparedDataset, pred_dir: Path, split: str = "test") -> pd.DataFrame:
    """Per-image dot detection of the images of ``split`` that have point annotations.

    Every prediction's presence and shape and every point file are checked first.
    """
    image_ids = dataset.evaluation_ids(split)
    if not image_ids:
        raise InputError(
            dataset.root / "index.tsv", f"no images with point annotations in split {split!r}"
        )
    predictions = [pred_dir / f"{i}.tif" for i in image_ids]
    check_present(predictions)
    points = {}
    for image_id, pred in zip(image_ids, predictions, strict=True):
        row = dataset.row(image_id)
        shape, expected = label_shape(pred), (int(row["height"]), int(row["width"]))
        if shape != expected:
            raise InputError(pred, f"prediction shape {shape} differs from the image's {expected}")
        points[image_id] = dataset.points(image_id)
    rows = []
    for image_id, pred in zip(image_ids, predictions, strict=True):
        scores = dot_detection(read_labels(pred), points[image_id][:, ::-1])
        group = str(dataset.row(image_id)["group"])
        rows.append({"image_id": image_id, "group": group, **scores})
    return pd.DataFrame(rows)


def summarise_points(per_image: pd.DataFrame) -> dict[str, Any]:
    """Pooled dot detection over all images and per group."""
    groups = {
        str(group): pooled_dot_detection(frame.to_dict("records"))
        for group, frame in per_image.groupby("group", sort=True)
    }
    return {"metrics": pooled_dot_detection(per_image.to_dict("records")), "groups": groups}


def dataset_pairs(dataset: PreparedDataset, pred_dir: Path, split: str = "test") -> list[Pair]:
    """Scored images of a prepared dataset: every labelled image of ``split``, partial included.

    At least one fully annotated image is required (F1/AP are computed on those only).
    """
    full = set(dataset.evaluation_ids(split))
    if not full:
        raise InputError(
            dataset.root / "index.tsv", f"no fully annotated images in split {split!r}"
        )
    image_ids = dataset.image_ids(split=split, labelled=True)
    return [
        (
            i,
            str(dataset.row(i)["group"]),
            dataset.labels_path(i),
            pred_dir / f"{i}.tif",
            i not in full,
        )
        for i in image_ids
    ]


def folder_pairs(gt_dir: Path, pred_dir: Path) -> list[Pair]:
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
        pairs.append((gt.stem, "all", gt, pred, False))
    return pairs


def pooled_scores(per_image: pd.DataFrame) -> dict[str, float | int]:
    """Pooled metrics of some per-image rows: SEG over all rows, the rest over full ones.

    Adds ``seg_n_images``/``seg_n_objects`` (frames and GT objects SEG pooled) and
    ``detection_n_images``/``detection_n_objects`` (the fully annotated frames and their GT
    objects behind F1, AP and the other scores; ``n_images``/``n_gt`` say the same).
    """
    records = per_image.drop(columns=["image_id", "group", "partial"]).to_dict("records")
    full = [r for r, partial in zip(records, per_image["partial"], strict=True) if not partial]
    if not full:
        raise InputError(None, "no fully annotated image among the scored images")
    out = dataset_scores(full)
    every = dataset_scores(records)
    out["seg"] = every["seg"]
    out["seg_n_images"] = len(records)
    out["seg_n_objects"] = int(per_image["seg_n"].sum())
    out["detection_n_images"] = len(full)
    out["detection_n_objects"] = out["n_gt"]
    return out


def summarise(per_image: pd.DataFrame) -> dict[str, Any]:
    """Pooled metrics over all images and per group (groups without a full image: SEG only)."""
    groups: dict[str, dict[str, float | int]] = {}
    for group, frame in per_image.groupby("group", sort=True):
        if frame["partial"].all():
            records = frame.drop(columns=["image_id", "group", "partial"]).to_dict("records")
            groups[str(group)] = {
                "seg": dataset_scores(records)["seg"],
                "seg_n_images": len(frame),
                "seg_n_objects": int(frame["seg_n"].sum()),
            }
        else:
            groups[str(group)] = pooled_scores(frame)
    return {"metrics": pooled_scores(per_image), "groups": groups}


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
    if dataset.annotation == "points":
        per_image = score_points(dataset, pred_dir, split)
        scores = {"n_images_partial": 0, **summarise_points(per_image)}
        parameters = dot_parameters()
    else:
        per_image = score_pairs(dataset_pairs(dataset, pred_dir, split))
        scores = {"n_images_partial": int(per_image["partial"].sum()), **summarise(per_image)}
        parameters = metric_parameters()
    log.info(
        "scored %d images of %s against %s (%s, run %s)",
        len(per_image),
        dataset.name,
        dataset.annotation,
        method,
        run,
    )
    prediction_provenance_path = pred_dir / PROVENANCE_FILE
    summary = {
        "method": method,
        "dataset": dataset.name,
        "run": run,
        "split": split,
        "annotation": dataset.annotation,
        "n_images": len(per_image),
        "dataset_incomplete": list(dataset.info.extra.get("incomplete", [])),
        **scores,
        "metric_parameters": parameters,
        "provenance": provenance(config_digest=config_digest, seed=run_seed(run), device="cpu"),
        "prediction_provenance": (
            json.loads(prediction_provenance_path.read_text())
            if prediction_provenance_path.is_file()
            else None
        ),
    }
    with atomic_path(per_image_csv) as tmp:
        per_image.to_csv(tmp, index=False)
    write_json(summary_json, summary, default=_json_default)
    return summary


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
