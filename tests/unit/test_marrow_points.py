"""Bone-marrow dataset A: nucleus dots kept by `prepare`, checked, and scored by the evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from cellbench.data.layout import PreparedDataset
from cellbench.data.sources.prepare import prepare
from cellbench.errors import InputError
from cellbench.evaluation import evaluate
from cellbench.io import write_labels
from cellbench.metrics.nuclei import pooled_dot_detection

CATALOG = Path(__file__).resolve().parents[2] / "config" / "datasets.yaml"
SHAPE = (12, 16)  # (height, width)


def marrow_tree(root: Path, dots: dict[str, str], all_test: bool = False) -> Path:
    """BM_GRAZ layout: source/<stem>.png and annotations/<stem>.txt ("N 3 0", then x y label);
    with ``all_test`` an images.tsv makes every image a test image."""
    (root / "source").mkdir(parents=True)
    (root / "annotations").mkdir()
    rng = np.random.default_rng(0)
    for stem, text in dots.items():
        image = rng.integers(0, 255, (*SHAPE, 3), dtype=np.uint8)
        Image.fromarray(image).save(root / "source" / f"{stem}.png")
        (root / "annotations" / f"{stem}.txt").write_text(text)
    if all_test:
        rows = "".join(f"{stem}\tnormal\ttest\n" for stem in dots)
        (root / "images.tsv").write_text("image_id\timage_label\tsplit\n" + rows)
    return root


GOOD = {"img_a": "3 3 0\n1 2 1\n15 11 3\n4 4 1\n", "img_b": "1 3 0\n0 0 1\n"}


def _prepare(tmp_path: Path, dots: dict[str, str], all_test: bool = True) -> Path:
    source = marrow_tree(tmp_path / "src", dots, all_test)
    return prepare("marrow-a", source, tmp_path / "out", tmp_path / "dl", catalog=CATALOG)


def test_prepare_keeps_the_dots_as_y_x(tmp_path: Path) -> None:
    dataset = PreparedDataset(_prepare(tmp_path, GOOD))
    assert dataset.annotation == "points"
    assert json.loads((dataset.root / "dataset.json").read_text())["annotation"] == "points"
    assert dataset.evaluation_ids() == ["img_a", "img_b"]  # images.tsv: both test
    np.testing.assert_array_equal(dataset.points("img_a"), [[2, 1], [11, 15], [4, 4]])
    frame = pd.read_csv(dataset.points_path("img_b"))
    assert list(frame.columns) == ["y", "x"] and frame.to_numpy().tolist() == [[0, 0]]
    assert dataset.index["has_points"].tolist() == [True, True]


def test_without_images_tsv_a_seeded_fifth_is_test(tmp_path: Path) -> None:
    dots = {f"img_{i}": "1 3 0\n0 0 1\n" for i in range(5)}
    dataset = PreparedDataset(_prepare(tmp_path, dots, all_test=False))
    assert dataset.index["split"].value_counts().to_dict() == {"train": 4, "test": 1}
    assert dataset.evaluation_ids() == dataset.image_ids(split="test")
    single = PreparedDataset(_prepare(tmp_path / "one", {"img_0": "0 3 0\n"}, all_test=False))
    assert single.index["split"].tolist() == ["test"] and single.points("img_0").shape == (0, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 3 0\n1 2 1\n", "header announces 2 dots, the file has 1"),
        ("1 3 0\n1 2.5 1\n", "non-integer"),
        ("1 3 0\n1 2\n", "line 2: expected 'x y label'"),
        ("1 3 0\n16 2 1\n", r"1 dot\(s\) outside the 16x12 image \(first: line 2, x=16 y=2\)"),
        ("1 3 0\n3 -1 1\n", "outside"),
        ("x y\n", "first line"),
    ],
)
def test_malformed_dot_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        _prepare(tmp_path, {"img_a": text})
    assert "img_a.txt" in str(info.value)


def test_missing_dot_file_is_named(tmp_path: Path) -> None:
    source = marrow_tree(tmp_path / "src", GOOD)
    (source / "annotations" / "img_b.txt").unlink()
    with pytest.raises(InputError, match="dot annotations missing") as info:
        prepare("marrow-a", source, tmp_path / "out", tmp_path / "dl", catalog=CATALOG)
    assert "img_b.txt" in str(info.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "point annotations missing"),
        ("x,y\n1,1\n", "expected the columns y,x"),
        ("y,x\n1.5,2\n", "integer"),
        ("y,x\n12,0\n", "outside the image of shape"),
    ],
)
def test_damaged_prepared_points_are_named(tmp_path: Path, content: str | None, message) -> None:
    dataset = PreparedDataset(_prepare(tmp_path, GOOD))
    path = dataset.points_path("img_a")
    path.unlink()
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message) as info:
        dataset.points("img_a")
    assert "img_a.csv" in str(info.value)


def _predict(folder: Path) -> None:
    """img_a: object 1 holds dots (2,1) and (4,4), object 2 none, dot (11,15) on background.
    img_b: object 1 holds the dot (0,0)."""
    folder.mkdir()
    a = np.zeros(SHAPE, np.uint16)
    a[0:6, 0:6] = 1
    a[8:10, 2:5] = 2
    write_labels(folder / "img_a.tif", a)
    b = np.zeros(SHAPE, np.uint16)
    b[0:2, 0:2] = 1
    write_labels(folder / "img_b.tif", b)


def test_evaluation_scores_dots_with_golden_counts(tmp_path: Path) -> None:
    root = _prepare(tmp_path, GOOD)
    _predict(tmp_path / "pred")
    summary = evaluate(
        root, tmp_path / "pred", tmp_path / "p.csv", tmp_path / "s.json", method="m", run="r"
    )
    assert summary["annotation"] == "points"
    assert "dot_detection" in summary["metric_parameters"]
    m = summary["metrics"]
    # img_a: 2 objects, 3 dots, TP 1 (two dots in object 1: one FN), FP 1, FN 2; img_b: TP 1
    assert (m["objects"], m["dots"], m["tp"], m["fp"], m["fn"]) == (3, 4, 2, 1, 2)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(0.5)
    assert m["f1"] == pytest.approx(4 / 7) and m["objects_per_dot"] == pytest.approx(0.75)
    rows = pd.read_csv(tmp_path / "p.csv").set_index("image_id")
    assert rows.loc["img_a", ["tp", "fp", "fn"]].tolist() == [1, 1, 2]
    assert json.loads((tmp_path / "s.json").read_text())["metrics"]["tp"] == 2


def test_evaluation_checks_prediction_shape_against_the_image(tmp_path: Path) -> None:
    root = _prepare(tmp_path, GOOD)
    _predict(tmp_path / "pred")
    write_labels(tmp_path / "pred" / "img_b.tif", np.zeros((5, 5), np.uint16))
    with pytest.raises(InputError, match=r"img_b.tif.*differs from the image's \(12, 16\)"):
        evaluate(
            root, tmp_path / "pred", tmp_path / "p.csv", tmp_path / "s.json", method="m", run="r"
        )
    assert not (tmp_path / "s.json").exists()


def test_pooled_dot_detection_edge_cases() -> None:
    empty = {"objects": 0, "dots": 0, "tp": 0}
    assert pooled_dot_detection([empty])["f1"] == 1.0
    none_found = pooled_dot_detection([{"objects": 0, "dots": 5, "tp": 0}])
    assert (none_found["precision"], none_found["recall"], none_found["fn"]) == (0.0, 0.0, 5)
    with pytest.raises(InputError):
        pooled_dot_detection([])


def test_otsu_watershed_on_points_takes_radius_and_channel_from_the_config(tmp_path: Path) -> None:
    from cellbench.methods.otsu_watershed import fit_model
    from cellbench.methods.otsu_watershed.config import OtsuWatershedConfig

    dataset = PreparedDataset(_prepare(tmp_path, GOOD))
    with pytest.raises(InputError, match="points_radius") as info:
        fit_model(dataset, OtsuWatershedConfig())
    assert "dataset.json" in str(info.value)
    config = OtsuWatershedConfig(points_radius=4.0, thresholds=["li", "otsu"])
    model, scores = fit_model(dataset, config)
    assert (model.object_radius, model.channel, model.threshold, scores) == (
        4.0,
        "haematoxylin",
        "li",
        [],
    )
