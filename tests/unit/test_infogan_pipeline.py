"""infogan on tiny synthetic bone-marrow data: cells, training, Tables I-IV; bad input."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cellbench.data.layout import DatasetInfo, write_dataset
from cellbench.data.synth.marrow import SIZES, build
from cellbench.errors import InputError
from cellbench.methods.infogan.cells import read_cells, write_cells
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.nuclei import fit, load
from cellbench.methods.infogan.pipeline import evaluate_run, generator_grid, train_run

TINY = {"cells": "labels", "width": 8, "batch_size": 8, "iterations": 3, "log_every": 1}


@pytest.fixture(scope="module")
def cells(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("marrow")
    build(root / "synth-marrow", 0, "tiny", SIZES["tiny"])
    out = root / "cells"
    write_cells(root / "synth-marrow", out, InfoganConfig(**TINY))
    return str(out)


def test_nuclei_fit_load_round_trip(cells: str, tmp_path) -> None:
    dataset = Path(cells).parent / "synth-marrow"
    config = InfoganConfig(segmentation={"threshold": 150, "heuristics": "code"})
    model = fit(dataset, tmp_path / "model.json", config, config_digest="x")
    record = json.loads(model.read_text())
    assert record["dataset"] == "synth-marrow" and record["provenance"]
    assert load(model).config == config.segmentation


def test_cells_at_working_scale(cells: str, tmp_path) -> None:
    dataset = Path(cells).parent / "synth-marrow"
    half = write_cells(dataset, tmp_path / "half", InfoganConfig(**{**TINY, "scale": 0.5}))
    _, full_table = read_cells(cells)
    _, half_table = read_cells(half)
    full_height = (full_table.max_row - full_table.min_row).median()
    half_height = (half_table.max_row - half_table.min_row).median()
    assert 0.4 < half_height / full_height < 0.6


def test_cells_table_matches_crops(cells: str) -> None:
    crops, table = read_cells(cells)
    assert len(crops) == len(table) > 0 and crops.shape[1:] == (32, 32, 3)
    assert set(table["split"]) == {"train", "test"}
    assert (table["category"] != "").all() and (table["image_label"] != "").all()


@pytest.mark.slow
def test_train_and_evaluate_deterministic(cells: str, tmp_path) -> None:
    config = InfoganConfig(**TINY)
    results = []
    for run in ("a", "b"):
        model = train_run(cells, tmp_path / run / "model.pt", config, seed=1, categories=5)
        out = evaluate_run(
            cells, {5: str(model)}, tmp_path / run / "tables.json", seed=1, categories=5, folds=2
        )
        results.append(json.loads(out.read_text()))
    a, b = results
    assert [r["method"] for r in a["table3"]] == ["MF+k-means", "HOG+DEC", "Our Method"]
    assert a["table4"][0]["method"] == "Majority class"
    for key in ("table1", "table2", "table3", "table4"):
        assert a[key] == b[key]
    assert a["history"]["iteration"] == [1, 2, 3] and len(a["history"]["purity"]) == 3
    for row in a["table3"]:
        assert 0 < row["purity"] <= 1 and row["entropy_sizes"] >= 0
    grid = generator_grid(tmp_path / "a" / "model.pt", rows=2, seed=0)
    assert grid.shape == (64, 160, 3) and grid.dtype == np.uint8


def test_single_image_class_skips_table_iv(cells: str, tmp_path, caplog) -> None:
    """Dataset A has no abnormal images: Table IV is skipped, not an error."""
    crops, table = read_cells(cells)
    np.save(tmp_path / "crops.npy", crops)
    table.assign(category="", image_label="normal").to_csv(
        tmp_path / "cells.tsv", sep="\t", index=False
    )
    model = train_run(cells, tmp_path / "model.pt", InfoganConfig(**TINY), seed=0, categories=5)
    with caplog.at_level("WARNING"):
        out = evaluate_run(
            tmp_path, {5: str(model)}, tmp_path / "tables.json", seed=0, categories=5, folds=2
        )
    record = json.loads(out.read_text())
    assert "table4" not in record and "table1" not in record
    assert "Table IV skipped" in caplog.text and "['normal']" in caplog.text


def test_read_cells_rejects_count_mismatch(cells: str, tmp_path) -> None:
    crops, table = read_cells(cells)
    np.save(tmp_path / "crops.npy", crops[:-1])
    table.to_csv(tmp_path / "cells.tsv", sep="\t", index=False)
    with pytest.raises(InputError, match="crops but"):
        read_cells(tmp_path)


def test_segmentation_cells_reject_grey_image_naming_it(tmp_path) -> None:
    info = DatasetInfo(name="grey", domain="marrow")
    with write_dataset(tmp_path / "grey", info) as writer:
        writer.add("g1", np.full((40, 40), 128, np.uint8), None, split="train")
    with pytest.raises(InputError, match=r"g1\.tif.*grey-scale"):
        write_cells(tmp_path / "grey", tmp_path / "out", InfoganConfig())


def test_image_without_cells_is_counted_skip(tmp_path) -> None:
    info = DatasetInfo(name="few", domain="marrow")
    image = np.full((40, 40, 3), 200, np.uint8)
    labels = np.zeros((40, 40), np.uint16)
    labels[5:15, 5:15] = 1
    with write_dataset(tmp_path / "few", info) as writer:
        writer.add("a", image, labels, split="train", categories={1: "lymphocyte"})
        writer.add("b", image, np.zeros((40, 40), np.uint16), split="test")
    out = write_cells(tmp_path / "few", tmp_path / "cells", InfoganConfig(cells="labels"))
    _, table = read_cells(out)
    assert table["image_id"].tolist() == ["a"] and table["category"].tolist() == ["lymphocyte"]
    assert (out / "skipped.txt").read_text() == "b\n"
    assert isinstance(pd.read_csv(out / "cells.tsv", sep="\t"), pd.DataFrame)
