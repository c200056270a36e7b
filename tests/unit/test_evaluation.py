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
