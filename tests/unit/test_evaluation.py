import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.evaluation import evaluate, run_seed
from cellbench.io import write_labels


def copy_gt_as_predictions(
    dataset: Path, out: Path, ids: tuple[str, ...] = ("img4", "img5")
) -> Path:
    out.mkdir(parents=True)
    for image_id in ids:
        shutil.copy(dataset / "labels" / f"{image_id}.tif", out / f"{image_id}.tif")
    return out


def test_ground_truth_scores_perfectly(blob_dataset: Path, tmp_path: Path) -> None:
    pred = copy_gt_as_predictions(blob_dataset, tmp_path / "pred")
    summary = evaluate(
        blob_dataset,
        pred,
        tmp_path / "e/per_image.csv",
        tmp_path / "e/summary.json",
        method="gt",
        run="seed3",
        config_digest="cafe",
    )
    metrics = summary["metrics"]
    assert metrics["f1"] == 1.0 and metrics["seg"] == 1.0 and metrics["dsb_map"] == 1.0
    assert set(summary["groups"]) == {"g0", "g1"}
    written = json.loads((tmp_path / "e/summary.json").read_text())
    assert written["provenance"]["seed"] == 3 and written["provenance"]["config_hash"] == "cafe"
    assert "metric_parameters" in written


def test_missing_prediction_is_named(blob_dataset: Path, tmp_path: Path) -> None:
    pred = copy_gt_as_predictions(blob_dataset, tmp_path / "pred", ids=("img4",))
    with pytest.raises(InputError, match=r"img5\.tif"):
        evaluate(blob_dataset, pred, tmp_path / "a.csv", tmp_path / "a.json", method="m", run="r")
    assert not (tmp_path / "a.csv").exists()


def test_shape_mismatch_is_named(blob_dataset: Path, tmp_path: Path) -> None:
    pred = copy_gt_as_predictions(blob_dataset, tmp_path / "pred")
    write_labels(pred / "img5.tif", np.zeros((64, 65), dtype=np.uint16))
    with pytest.raises(InputError, match=r"img5.tif.*\(64, 65\)"):
        evaluate(blob_dataset, pred, tmp_path / "a.csv", tmp_path / "a.json", method="m", run="r")


def test_empty_prediction_scores_zero(blob_dataset: Path, tmp_path: Path) -> None:
    pred = tmp_path / "pred"
    for image_id in ("img4", "img5"):
        write_labels(pred / f"{image_id}.tif", np.zeros((64, 64), dtype=np.uint16))
    summary = evaluate(
        blob_dataset, pred, tmp_path / "a.csv", tmp_path / "a.json", method="m", run="r"
    )
    assert summary["metrics"]["f1"] == 0.0 and summary["metrics"]["seg"] == 0.0


def test_run_seed() -> None:
    assert run_seed("kmc-k5-seed12") == 12
    assert run_seed("default") is None


def test_partial_frames_count_for_seg_only(tmp_path: Path) -> None:
    """CTC rule: SEG pools every annotated object (partial frames too), F1 only full frames."""
    from cellbench.data.layout import DatasetInfo, write_dataset

    full = np.zeros((32, 32), dtype=np.uint16)
    full[2:10, 2:10] = 1
    partial = np.zeros((32, 32), dtype=np.uint16)
    partial[20:30, 20:30] = 1  # one annotated object; a second nucleus is not annotated
    image = np.zeros((32, 32), dtype=np.uint8)
    root = tmp_path / "ctc"
    with write_dataset(root, DatasetInfo(name="ctc", domain="test", seed=0)) as writer:
        writer.add("01_t000", image, full, split="train", group="01")
        writer.add("02_t000", image, full, split="test", group="02")
        writer.add("02_t001", image, partial, split="test", group="02", partial=True)
    pred = tmp_path / "pred"
    write_labels(pred / "02_t000.tif", full)
    half = np.zeros((32, 32), dtype=np.uint16)
    half[20:30, 20:26] = 1  # 60 of 100 pixels: matched (> 50 %), Jaccard 0.6
    half[2:10, 2:10] = 2  # an unannotated object of the partial frame: no false positive
    write_labels(pred / "02_t001.tif", half)
    summary = evaluate(root, pred, tmp_path / "a.csv", tmp_path / "a.json", method="m", run="r")
    metrics = summary["metrics"]
    assert metrics["seg"] == pytest.approx((1.0 + 0.6) / 2)
    assert metrics["f1"] == 1.0 and metrics["n_pred"] == 1
    assert (metrics["seg_n_images"], metrics["seg_n_objects"]) == (2, 2)
    assert (metrics["detection_n_images"], metrics["detection_n_objects"]) == (1, 1)
    assert summary["n_images"] == 2 and summary["n_images_partial"] == 1
