"""contrastive Table 1: hold-out split, one-factor cells and the table (pure functions)."""

import pandas as pd
import pytest

from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.runs import cell_name, parse_cell, sweep_cells
from cellbench.methods.contrastive.sweep import validation_split
from cellbench.tables.contrastive import table1_data, validation_split_rows

IDS = [f"img{i}" for i in range(10)]


def test_validation_split_is_seeded_disjoint_and_complete() -> None:
    fit, validation = validation_split(IDS, 0.2, seed=0)
    assert len(validation) == 2 and len(fit) == 8
    assert sorted(fit + validation) == IDS and not set(fit) & set(validation)
    assert validation_split(list(reversed(IDS)), 0.2, seed=0) == (fit, validation)
    others = {tuple(validation_split(IDS, 0.2, seed=s)[1]) for s in range(10)}
    assert len(others) > 1
    # at least one image each way
    assert [len(part) for part in validation_split(IDS[:2], 0.01, 0)] == [1, 1]
    assert [len(part) for part in validation_split(IDS[:2], 0.99, 0)] == [1, 1]
    with pytest.raises(ValueError, match=">= 2 training images"):
        validation_split(IDS[:1], 0.2, 0)


def test_sweep_cells_vary_one_factor_at_a_time() -> None:
    cfg = ContrastiveConfig(
        patches=10,
        patch_size=16,
        crop_size=64,
        table1={"patches": [5, 10], "patch_sizes": [12, 16]},
    )
    assert sweep_cells(cfg) == [(5, 16), (10, 16), (10, 12)]
    assert [parse_cell(cell_name(*cell)) for cell in sweep_cells(cfg)] == sweep_cells(cfg)
    with pytest.raises(ValueError, match="not a Table 1 cell name"):
        parse_cell("n10-p")
    too_large = cfg.model_copy(update={"crop_size": 14})
    with pytest.raises(ValueError, match=r"patch_sizes \[16\] exceed crop_size 14"):
        sweep_cells(too_large)
    with pytest.raises(ValueError, match="unique"):
        ContrastiveConfig(table1={"seeds": [0, 0]})


def run(patches: int, size: int, seed: int, dice: float, dataset: str = "monuseg") -> dict:
    return {
        "dataset": dataset,
        "patches": patches,
        "patch_size": size,
        "seed": seed,
        "validation_dice": dice,
        "useful": dice > 0,
        "fit_images": ["a", "b", "c"],
        "validation_images": ["d"],
        "split_seed": 0,
        "provenance": {"config_hash": "h", "git_commit": "c", "host": "x", "device": "cpu"},
    }


def test_table1_rows_are_medians_over_runs_with_the_base_cell_in_both_rows() -> None:
    runs = [
        run(5, 50, 0, 0.5),
        run(5, 50, 1, 0.7),
        run(5, 50, 2, 0.6),
        run(10, 50, 0, 0.8),
        run(10, 50, 1, 0.0),
        run(10, 50, 2, 0.9),
        run(10, 20, 0, 0.4),
    ]
    published = pd.DataFrame(
        {
            "paper_dataset": ["MoNuSeg"] * 3,
            "factor": ["patches", "patches", "patch size"],
            "value": [5, 10, 20],
            "dice": [0.6643, 0.7071, 0.5063],
        }
    )
    table = table1_data(runs, patches=10, patch_size=50, published=published)
    got = {
        (r.factor, r.value): (r.validation_dice, r.runs, r.paper_dice) for r in table.itertuples()
    }
    assert got == {
        ("patches", 5): (pytest.approx(0.6), 3, 0.6643),
        ("patches", 10): (pytest.approx(0.8), 3, 0.7071),
        ("patch size", 20): (pytest.approx(0.4), 1, 0.5063),
        ("patch size", 50): (pytest.approx(0.8), 3, pytest.approx(float("nan"), nan_ok=True)),
    }
    assert table.loc[table["value"] == 10, "no_useful_channel"].item() == 1
    assert table.loc[table["value"] == 5, "per_run"].item() == "0.5000, 0.7000, 0.6000"


def test_validation_split_file_lists_the_shared_hold_out_and_rejects_a_mismatch() -> None:
    rows = validation_split_rows([run(5, 50, 0, 0.5), run(10, 50, 0, 0.5)])
    assert rows.to_dict("records") == [
        {"dataset": "monuseg", "image_id": "a", "role": "fit"},
        {"dataset": "monuseg", "image_id": "b", "role": "fit"},
        {"dataset": "monuseg", "image_id": "c", "role": "fit"},
        {"dataset": "monuseg", "image_id": "d", "role": "validation"},
    ]
    other = {**run(5, 50, 1, 0.5), "validation_images": ["c"], "fit_images": ["a", "b", "d"]}
    with pytest.raises(ValueError, match="different hold-outs"):
        validation_split_rows([run(5, 50, 0, 0.5), other])
