"""marrow-a-cells: the nu_gan authors' labelled dataset-A cells (placed npy files), prepared,
checked and run through infogan's Tables I-III (fake fixtures only, never the real files)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cellbench.data.layout import CELL_CROPS, PreparedDataset
from cellbench.data.sources.catalog import REAL_DATASETS, load_catalog
from cellbench.data.sources.marrow_cells import FILES, category_names
from cellbench.data.sources.prepare import download_file, prepare
from cellbench.errors import InputError
from cellbench.methods.infogan.cells import read_cells, write_cells
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.pipeline import evaluate_run, train_run
from cellbench.methods.infogan.report import build_tables

CATALOG = Path(__file__).resolve().parents[2] / "config" / "datasets.yaml"
PAPER_CSV = CATALOG.parent / "paper_results" / "infogan.csv"
TINY = {"width": 8, "batch_size": 8, "iterations": 2, "log_every": 1, "categories": 4}


def fake_release(root: Path, n_train: int = 24, n_test: int = 12, **override) -> Path:
    """X_{train,test}.npy (N, 32, 32, 3) uint8 and y_{train,test}.npy (N,) labels 0-3 (every
    label in both splits); ``override`` replaces a file's array by name."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("test", n_test)):
        y = np.arange(n) % 4
        # A label-dependent mean colour, so that the clusterings have something to find.
        x = np.clip(rng.normal(60 + 50 * y[:, None, None, None], 20, (n, 32, 32, 3)), 0, 255)
        arrays = {f"X_{split}.npy": x.astype(np.uint8), f"y_{split}.npy": y.astype(np.int64)}
        for name, array in arrays.items():
            np.save(root / name, override.get(name, array))
    return root


def _prepare(tmp_path: Path, **override) -> Path:
    source = fake_release(tmp_path / "release", **override)
    return prepare("marrow-a-cells", source, tmp_path / "out", tmp_path / "dl", catalog=CATALOG)


def test_prepare_writes_one_crop_per_image_in_the_authors_split(tmp_path: Path) -> None:
    dataset = PreparedDataset(_prepare(tmp_path))
    assert dataset.info.domain == CELL_CROPS
    assert dataset.info.categories == ("class0", "class1", "class2", "class3")
    assert dataset.index["split"].value_counts().to_dict() == {"train": 24, "test": 12}
    assert dataset.image_ids()[:2] == ["train_00000", "train_00001"]
    objects = dataset.objects()
    assert len(objects) == 36 and set(objects["label"]) == {1}
    assert objects.set_index("image_id").loc["test_00005", "category"] == "class1"
    x = np.load(tmp_path / "release" / "X_test.npy")
    np.testing.assert_array_equal(dataset.image("test_00005"), x[5])


def test_infogan_cells_are_the_given_crops_with_their_labels(tmp_path: Path) -> None:
    out = write_cells(_prepare(tmp_path), tmp_path / "cells", InfoganConfig(scale=0.5))
    crops, table = read_cells(out)
    release = tmp_path / "release"
    expected = np.concatenate([np.load(release / "X_train.npy"), np.load(release / "X_test.npy")])
    np.testing.assert_array_equal(crops, expected)  # no segmentation, no rescaling
    labels = np.concatenate([np.load(release / "y_train.npy"), np.load(release / "y_test.npy")])
    assert table["category"].tolist() == [f"class{i}" for i in labels]
    assert table["split"].tolist() == ["train"] * 24 + ["test"] * 12
    assert (table["image_label"] == "").all() and (table["max_row"] == 32).all()


def test_crops_of_another_size_than_crop_size_are_refused(tmp_path: Path) -> None:
    prepared = _prepare(tmp_path)
    with pytest.raises(InputError, match=r"must be uint8 16x16x3 \(crop_size 16\), got uint8"):
        write_cells(prepared, tmp_path / "cells", InfoganConfig(crop_size=16))


def test_paper_counts_name_the_cell_types() -> None:
    labels = np.repeat([0, 1, 2, 3], [715, 34, 751, 495])
    assert category_names(labels) == {
        0: "lymphocyte",
        1: "neutrophil",
        2: "myeloblast",
        3: "monocyte",
    }
    assert category_names(np.repeat([0, 1, 2, 3], [715, 35, 750, 495]))[1] == "class1"


@pytest.mark.parametrize(
    ("name", "array", "message"),
    [
        ("X_train.npy", np.zeros((24, 32, 32, 3), np.float32), "must be uint8, got float32"),
        ("X_test.npy", np.zeros((12, 32, 32), np.uint8), r"N x 32 x 32 x 3 .*\(12, 32, 32\)"),
        ("X_train.npy", np.zeros((24, 3, 32, 32), np.uint8), r"got shape \(24, 3, 32, 32\)"),
        ("y_train.npy", np.zeros(23, np.int64), "23 labels but 24 crops in X_train.npy"),
        ("y_test.npy", np.full(12, 4), r"must lie in 0..3, found \[4\]"),
        ("y_test.npy", np.full(12, -1), r"found \[-1\]"),
        ("y_train.npy", np.full(24, 0.5), "must be integers 0-3, got dtype float64"),
        ("y_train.npy", np.zeros((24, 2), np.int64), r"one label per crop .*\(24, 2\)"),
    ],
)
def test_bad_release_file_is_named(tmp_path: Path, name: str, array, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        _prepare(tmp_path, **{name: array})
    assert info.value.path is not None and info.value.path.name == name
    assert not (tmp_path / "out").exists()


def test_integral_float_and_column_labels_are_accepted(tmp_path: Path) -> None:
    y = (np.arange(24) % 4).astype(np.float64)[:, None]
    dataset = PreparedDataset(_prepare(tmp_path, **{"y_train.npy": y}))
    assert len(dataset.image_ids(split="train")) == 24


def test_unreadable_and_missing_files_are_named(tmp_path: Path) -> None:
    source = fake_release(tmp_path / "release")
    (source / "X_test.npy").write_text("not an array")
    with pytest.raises(InputError, match=r"X_test\.npy: cannot be read as a NumPy"):
        prepare("marrow-a-cells", source, tmp_path / "out", tmp_path / "dl", catalog=CATALOG)
    (source / "X_test.npy").unlink()
    with pytest.raises(InputError, match=r"X_test\.npy: not found: .*cell_level_label"):
        prepare("marrow-a-cells", source, tmp_path / "o2", tmp_path / "d2", catalog=CATALOG)


def test_absent_files_stop_with_where_to_put_them(tmp_path: Path) -> None:
    """The download rule's message: the exact folder and file name, and where to get them."""
    with pytest.raises(InputError) as info:
        download_file(CATALOG, "marrow-a-cells", "y_test.npy", tmp_path / "dl")
    text = str(info.value)
    assert f"put it at {tmp_path / 'dl' / 'marrow-a-cells' / 'y_test.npy'}" in text
    assert "drive.google.com" in text and "data/cell_level_label/" in text
    assert "X_train.npy, y_train.npy, X_test.npy, y_test.npy" in text


def test_catalog_and_config_schema_know_the_dataset() -> None:
    entry = load_catalog(CATALOG)["marrow-a-cells"]
    assert [f.name for f in entry.files] == list(FILES) and all(f.url is None for f in entry.files)
    schema = CATALOG.parents[1] / "workflow" / "schemas" / "parts" / "real_data.schema.yaml"
    props = yaml.safe_load(schema.read_text())["properties"]
    assert props["sources"]["propertyNames"]["enum"] == list(REAL_DATASETS)
    assert props["allow_incomplete"]["items"]["enum"] == list(REAL_DATASETS)


def test_unpacked_release_folder_is_searched(tmp_path: Path) -> None:
    fake_release(tmp_path / "data" / "cell_level_label")
    out = prepare(
        "marrow-a-cells", tmp_path / "data", tmp_path / "out", tmp_path / "dl", catalog=CATALOG
    )
    assert len(PreparedDataset(out).image_ids()) == 36


@pytest.mark.slow
def test_table_iii_is_filled_on_the_prepared_cells(tmp_path: Path, caplog) -> None:
    """Table III code path (train, evaluate, build_tables) on a fake prepared marrow-a-cells:
    every measured cell of Table III is filled; Table IV is skipped (no image labels)."""
    cells = write_cells(_prepare(tmp_path), tmp_path / "cells", InfoganConfig())
    config = InfoganConfig(**TINY)
    model = train_run(cells, tmp_path / "k4" / "model.pt", config, seed=0, categories=4)
    with caplog.at_level("WARNING"):
        evaluation = evaluate_run(
            cells, {4: str(model)}, tmp_path / "tables.json", seed=0, categories=4, folds=2
        )
    assert "Table IV skipped" in caplog.text
    record = json.loads(evaluation.read_text())
    assert "table4" not in record and len(record["table1"]) == 2
    outputs = [tmp_path / f"infogan_table{n}.{ext}" for n in (1, 2, 3, 4) for ext in ("csv", "md")]
    build_tables([evaluation], PAPER_CSV, ["marrow-a-cells"], [0], outputs)
    table3 = pd.read_csv(tmp_path / "infogan_table3.csv")
    ours = table3[table3["dataset"] == "marrow-a-cells"]
    assert ours["method"].tolist() == ["MF+k-means", "HOG+DEC", "Our Method"]
    columns = ["purity", "entropy_sizes", "entropy_class_given_cluster", "f_score", "cells"]
    assert ours[columns].notna().all().all() and (ours["cells"] == 12).all()
    assert ours["purity"].between(0.25, 1).all() and (ours["f_score"] > 0).all()
