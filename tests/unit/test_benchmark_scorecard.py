"""Reproduction scorecard: published claims, our numbers, matching, spread and stand-in verdicts."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cellbench.benchmark.scorecard import card as sc_card
from cellbench.benchmark.scorecard import claims as sc_claims
from cellbench.benchmark.scorecard import ours as sc_ours
from cellbench.data.sources.catalog import REAL_DATASETS
from cellbench.errors import InputError

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = sorted((REPO / "config" / "paper_results").glob("*.csv"))
NAN = float("nan")


def test_published_claims_golden_counts_and_values() -> None:
    claims = sc_claims.published_claims(PUBLISHED)
    assert len(claims) == 254 and int(claims["regenerated"].sum()) == 229
    per_table = claims[claims["regenerated"]].groupby("table").size().to_dict()
    assert per_table == {
        "cellulus Table 1": 60,
        "cellulus Table 2": 44,
        "contrastive Table 1": 10,
        "contrastive Table 2": 12,
        "deepng Table I": 36,
        "infogan Table I": 6,
        "infogan Table III": 27,
        "infogan Table IV": 6,
        "spoco Table 1": 12,
        "spoco Table 14": 14,
        "spoco Table 16": 2,
    }
    by_key = claims.set_index(sc_claims.KEY)
    kmc5 = by_key.loc[("deepng Table I", "kMC (5)", "map_known", "dsb2018")]
    assert (kmc5["published"], kmc5["published_sd"]) == (0.40, 0.03)
    mean = by_key.loc[("contrastive Table 2", "Ours (mean)", "dice", "monuseg")]
    assert (mean["published"], mean["published_sd"]) == (0.62, 0.05)
    assert math.isnan(
        by_key.loc[("contrastive Table 2", "Ours (max)", "dice", "consep"), "published_sd"]
    )
    spoco = by_key.loc[("spoco Table 1", "sparse@0.4 hdbscan fg=none", "sbd", "cvppp-a1")]
    assert (spoco["label"], spoco["published"], spoco["published_sd"]) == (
        "SPOCO@0.4",
        0.824,
        0.003,
    )
    infogan = by_key.loc[("infogan Table III", "Our Method", "entropy_sizes", "marrow-b")]
    assert infogan["published"] == 0.431 and infogan["paper_dataset"] == "B"
    # Dataset A's cell-level claims are answered by its labelled cells (marrow-a-cells).
    purity = by_key.loc[("infogan Table III", "Our Method", "purity", "marrow-a-cells")]
    assert purity["published"] == 0.855 and purity["paper_dataset"] == "A"
    scale = by_key.loc[("cellulus Table 2", "scale 1.1", "f1", "tissuenet-immune")]
    assert scale["published"] == 0.69


def test_rows_cellbench_does_not_regenerate_are_named() -> None:
    assert sc_claims.not_regenerated(sc_claims.published_claims(PUBLISHED)) == [
        "infogan Table I: DNN",
        "infogan Table III: DNN+k-means",
        "infogan Table IV: DNN",
        "contrastive Table 2: Scale Pretext",
        "spoco Table 1: Recurrent attention [45]",
        "spoco Table 1: Harmonic Emb. [28]",
        "spoco Table 1: SPOCO (pred FG)",
        "spoco Table 16: 1% sparse",
    ]


def test_a_missing_published_file_is_named() -> None:
    with pytest.raises(InputError, match="spoco_tables"):
        sc_claims.published_claims([p for p in PUBLISHED if p.stem != "spoco_tables"])


@pytest.mark.parametrize(
    ("dataset", "synthetic"),
    [
        ("dsb2018", "synth-dsb"),
        ("ctc-hsc", "synth-ctc"),
        ("tissuenet", "synth-tissuenet"),
        ("tissuenet-immune", "synth-tissuenet-immune"),  # a group of TissueNet
        ("consep", "synth-histo"),
        ("marrow-b", "synth-marrow"),
        ("cvppp-a1", "synth-leaves"),
        ("synth-dsb", None),
        (None, None),
    ],
)
def test_stand_in(dataset: str | None, synthetic: str | None) -> None:
    assert sc_claims.stand_in(dataset) == synthetic


@pytest.mark.parametrize(
    ("ours", "published", "sd", "expected"),
    [
        (0.42, 0.40, 0.03, (0.02, 0.03, "paper sd", True)),
        (0.44, 0.40, 0.03, (0.04, 0.03, "paper sd", False)),
        (0.45, 0.40, NAN, (0.05, 0.05, "tolerance", True)),  # on the boundary: within
        (0.30, 0.40, NAN, (-0.10, 0.05, "tolerance", False)),
    ],
)
def test_within_spread(ours: float, published: float, sd: float, expected: tuple) -> None:
    difference, spread, basis, within = sc_card.within_spread(ours, published, sd, 0.05)
    assert (round(difference, 12), spread, basis, within) == expected


def claim(row: str, metric: str, dataset: str, value: float, sd: float = NAN, **kw) -> dict:
    return {
        "paper": "001",
        "method": "cellulus",
        "table": "T",
        "row": row,
        "label": row,
        "metric": metric,
        "dataset": dataset,
        "paper_dataset": dataset.upper(),
        "published": value,
        "published_sd": sd,
        "regenerated": kw.get("regenerated", True),
    }


def ours(row: str, metric: str, dataset: str, value: float, sd: float = NAN, n: int = 1) -> dict:
    return dict(
        table="T",
        row=row,
        metric=metric,
        dataset=dataset,
        method="cellulus",
        value=value,
        sd=sd,
        n_seeds=n,
    )


def test_scorecard_verdicts() -> None:
    claims = pd.DataFrame(
        [
            claim("a", "f1", "ctc-sim", 0.80),  # ours on the same dataset, within tolerance
            claim("a", "seg", "ctc-sim", 0.60, sd=0.02),  # outside the paper's sd, ours lower
            claim("a", "f1", "ctc-hsc", 0.06),  # only the synthetic stand-in ran
            claim("b", "f1", "ctc-sim", 0.50),  # not run
            claim("c", "abs_dic", "cvppp-a1", 1.7),  # |DiC| uses its own tolerance
            claim("d", "f1", "marrow-b", 0.9),  # not a cellbench dataset, no stand-in ran
            claim("e", "f1", "ctc-sim", 0.1, regenerated=False),  # other authors' method
        ]
    )
    our = pd.DataFrame(
        [
            ours("a", "f1", "ctc-sim", 0.83, sd=0.01, n=3),
            ours("a", "seg", "ctc-sim", 0.55),
            ours("a", "f1", "synth-ctc", 0.86),  # the exact dataset wins over the stand-in
            ours("a", "f1", "synth-ctc", 0.99),  # duplicates: the first is kept
            ours("c", "abs_dic", "cvppp-a1", 2.1),
        ]
    )
    provenance = pd.DataFrame(
        {
            "method": ["cellulus", "cellulus", "cellulus"],
            "dataset": ["ctc-sim", "ctc-sim", "synth-ctc"],
            "device": ["cuda:0 (H100)", "cpu", "cpu (2 threads)"],
            "config_hash": ["h1", "h1", "h2"],
        }
    )
    card = sc_card.scorecard(
        claims,
        our,
        provenance,
        tolerance=0.05,
        abs_dic_tolerance=0.5,
        preset="paper",
        known_datasets=REAL_DATASETS,
    )
    assert list(card["verdict"]) == [
        sc_card.REPRODUCED,
        f"{sc_card.OUTSIDE} (ours lower)",
        sc_card.STAND_IN,
        sc_card.NOT_RUN,
        sc_card.REPRODUCED,
        f"{sc_card.NO_DATASET} (MARROW-B)",
    ]
    np.testing.assert_allclose(card["difference"][:2], [0.03, -0.05])
    assert list(card["spread_basis"]) == ["tolerance", "paper sd", "", "", "tolerance", ""]
    assert card["spread"][4] == 0.5 and card["within"].tolist()[:3] == [True, False, pd.NA]
    assert card.loc[0, ["ours", "ours_sd", "n_seeds"]].tolist() == [0.83, 0.01, 3]
    stand_in = card.loc[2]
    assert (stand_in["ours"], stand_in["our_dataset"]) == (0.86, "synth-ctc")
    assert math.isnan(stand_in["difference"]) and stand_in["device"] == "cpu (2 threads)"
    assert card.loc[0, "device"] == "cpu; cuda:0 (H100)" and card.loc[0, "config_hash"] == "h1"
    assert card.loc[3, "device"] == "" and set(card["preset"]) == {"paper"}
    assert sc_card.counts(card) == {
        sc_card.REPRODUCED: 2,
        sc_card.OUTSIDE: 1,
        sc_card.STAND_IN: 1,
        sc_card.NOT_RUN: 2,
    }


def write(path: Path, frame: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def method_tables(tmp_path: Path) -> list[Path]:
    """Tables shaped as the method rules write them (only the columns the scorecard reads)."""
    t = tmp_path / "tables"
    return [
        write(
            t / "cellulus_table1.csv",
            pd.DataFrame(
                {
                    "dataset": ["ctc-sim", "ctc-sim"],
                    "method": ["cellulus", "cellulus"],
                    "source": ["ours", "paper"],
                    "runs": [2, 0],
                    "f1": [0.81, 0.83],
                    "f1_std": [0.02, NAN],
                    "seg": [0.62, 0.65],
                    "seg_std": [0.01, NAN],
                }
            ),
        ),
        write(
            t / "contrastive_table2.csv",
            pd.DataFrame(
                {
                    "dataset": ["monuseg"] * 3,
                    "method": ["CNN (supervised)", "CSL (ours)", "CSL (ours)"],
                    "statistic": [NAN, "mean", "sd"],
                    "runs": [1, 10, 10],
                    "dice": [0.75, 0.60, 0.04],
                }
            ),
        ),
        write(
            t / "deepng_table1.csv",
            pd.DataFrame(
                {
                    "name": ["kMC (5)", "kMC (50)"],
                    "n_seeds": [4, NAN],
                    "dataset": ["dsb2018"] * 2,
                    "known_mean": [0.41, NAN],
                    "known_std": [0.02, NAN],
                    "unknown_mean": [0.2, NAN],
                    "unknown_std": [0.01, NAN],
                    "all_mean": [0.22, NAN],
                    "all_std": [0.01, NAN],
                }
            ),
        ),
        write(
            t / "infogan_table1.csv",
            pd.DataFrame(
                {
                    "dataset": ["marrow-a-cells", "marrow-a-cells", "A"],
                    "seed": [0, 1, NAN],
                    "source": ["cellbench", "cellbench", "paper"],
                    "method": ["MF"] * 3,
                    "precision": [0.8, 0.9, 0.821],
                    "recall": [0.7, 0.9, 0.803],
                    "f_score": [0.75, 0.85, 0.811],
                }
            ),
        ),
    ]


def test_our_numbers_from_the_method_tables(method_tables: list[Path]) -> None:
    frame = sc_ours.our_numbers(method_tables, []).set_index(sc_claims.KEY)
    assert len(frame) == 2 + 3 + 3 + 3  # cellulus, contrastive, deepng, infogan
    f1 = frame.loc[("cellulus Table 1", "cellulus", "f1", "ctc-sim")]
    assert (f1["value"], f1["sd"], f1["n_seeds"]) == (0.81, 0.02, 2)
    mean = frame.loc[("contrastive Table 2", "Ours (mean)", "dice", "monuseg")]
    assert (mean["value"], mean["sd"], mean["n_seeds"]) == (0.60, 0.04, 10)
    assert frame.loc[("contrastive Table 2", "CNN", "dice", "monuseg"), "value"] == 0.75
    assert frame.loc[("deepng Table I", "kMC (5)", "map_unknown", "dsb2018"), "value"] == 0.2
    precision = frame.loc[("infogan Table I", "MF", "precision", "marrow-a-cells")]
    assert precision["value"] == pytest.approx(0.85)
    assert precision["sd"] == pytest.approx(np.std([0.8, 0.9], ddof=1))


def summary(path: Path, method: str, dataset: str, run: str, groups: dict) -> Path:
    path.mkdir(parents=True)
    data = {"method": method, "dataset": dataset, "run": run, "groups": groups}
    (path / "summary.json").write_text(json.dumps(data))
    return path / "summary.json"


def test_tissuenet_tissues_come_from_the_summary_groups(tmp_path: Path) -> None:
    """cellulus Tables 1-2 report TissueNet per tissue: the evaluation's groups answer them."""
    paths = [
        summary(
            tmp_path / "a",
            "cellulus",
            "tissuenet",
            "seed0",
            {"immune": {"f1": 0.6, "seg": 0.5}, "Lung": {"f1": 0.4, "seg": 0.3}},
        ),
        summary(
            tmp_path / "b", "cellulus", "tissuenet", "seed1", {"immune": {"f1": 0.8, "seg": 0.5}}
        ),
        summary(
            tmp_path / "c",
            "cellulus",
            "tissuenet",
            "scale0.5-seed0",
            {"immune": {"f1": 0.1, "seg": 0.2}},
        ),
        summary(
            tmp_path / "d",
            "stardist",
            "tissuenet",
            "pretrained",
            {"immune": {"f1": 0.66, "seg": 0.41}},
        ),
        summary(
            tmp_path / "e",
            "cellulus",
            "synth-tissuenet",
            "seed0",
            {"immune": {"f1": 0.3, "seg": 0.2}},
        ),
        summary(tmp_path / "f", "cellulus", "synth-ctc", "seed0", {"all": {"f1": 1, "seg": 1}}),
    ]
    frame = pd.DataFrame(sc_ours.group_ours(paths)).set_index(sc_claims.KEY)
    immune = frame.loc[("cellulus Table 1", "cellulus", "f1", "tissuenet-immune")]
    assert (immune["value"], immune["n_seeds"]) == (pytest.approx(0.7), 2)
    assert immune["sd"] == pytest.approx(np.std([0.6, 0.8], ddof=1))
    assert frame.loc[("cellulus Table 1", "cellulus", "seg", "tissuenet-lung"), "value"] == 0.3
    assert frame.loc[("cellulus Table 2", "scale 0.5", "f1", "tissuenet-immune"), "value"] == 0.1
    assert frame.loc[("cellulus Table 2", "scale 1", "f1", "tissuenet-immune"), "value"] == 0.7
    assert frame.loc[("cellulus Table 1", "stardist", "f1", "tissuenet-immune"), "value"] == 0.66
    synthetic = frame.xs("synth-tissuenet-immune", level="dataset")
    assert synthetic.index.get_level_values("table").unique().tolist() == ["cellulus Table 1"]
    assert len(frame) == 2 * (3 + 1 + 1 + 1)  # no Table 2 without a sweep, nothing ungrouped
    claims = sc_claims.published_claims(PUBLISHED)
    card = sc_card.scorecard(
        claims[claims["table"] == "cellulus Table 1"],
        frame.reset_index(),
        pd.DataFrame(
            [["cellulus", "tissuenet", "cuda:0", "h"]], columns=sc_ours.PROVENANCE_COLUMNS
        ),
        tolerance=0.05,
        abs_dic_tolerance=0.5,
        preset="paper",
        known_datasets=REAL_DATASETS,
    ).set_index(["row", "metric", "dataset"])
    assert card.loc[("stardist", "f1", "tissuenet-immune"), "verdict"] == sc_card.REPRODUCED
    assert card.loc[("cellulus", "f1", "tissuenet-immune"), "verdict"] == sc_card.REPRODUCED
    assert card.loc[("cellulus", "f1", "tissuenet-pancreas"), "verdict"] == sc_card.NOT_RUN
    assert card.loc[("cellulus", "f1", "tissuenet-immune"), "device"] == "cuda:0"  # its dataset's


def test_spoco_rows_are_answered_in_every_table() -> None:
    runs = pd.DataFrame(
        {
            "dataset": ["cvppp-a1"] * 2,
            "mode": ["sparse@0.4"] * 2,
            "seed": [0, 1],
            "clustering": ["hdbscan"] * 2,
            "foreground": ["none"] * 2,
            "sbd": [0.8, 0.9],
            "abs_dic": [3.0, 4.0],
        }
    )
    frame = pd.DataFrame(sc_ours.spoco_ours(runs)).set_index(sc_claims.KEY)
    assert len(frame) == 6
    sbd = frame.loc[("spoco Table 14", "sparse@0.4 hdbscan fg=none", "sbd", "cvppp-a1")]
    assert (sbd["value"], sbd["n_seeds"]) == (pytest.approx(0.85), 2)


def test_default_configuration_never_claims_a_reproduction(
    method_tables: list[Path], tmp_path: Path
) -> None:
    """Ours only on synthetic stand-ins: no row is compared, every stand-in is marked."""
    synthetic = [tmp_path / "synthetic" / path.name for path in method_tables]
    for source, target in zip(method_tables, synthetic, strict=True):
        text = source.read_text()
        for real, fake in (
            ("ctc-sim", "synth-ctc"),
            ("monuseg", "synth-histo"),
            ("dsb2018", "synth-dsb"),
            ("marrow-a-cells", "synth-marrow"),
        ):
            text = text.replace(real, fake)
        target.parent.mkdir(exist_ok=True)
        target.write_text(text)
    outputs = [tmp_path / "out" / f"scorecard.{ext}" for ext in ("csv", "md", "tex")]
    outputs[0].parent.mkdir()
    card = sc_card.write_scorecard(
        PUBLISHED,
        synthetic,
        [],
        [],
        [],
        outputs,
        tolerance=0.05,
        abs_dic_tolerance=0.5,
        preset="default",
    )
    assert len(card) == 229
    assert not card["verdict"].isin([sc_card.REPRODUCED]).any()
    assert not card["verdict"].str.startswith(sc_card.OUTSIDE).any()
    assert card["difference"].isna().all() and card["within"].isna().all()
    stand_ins = card[card["verdict"] == sc_card.STAND_IN]
    assert stand_ins["our_dataset"].str.startswith("synth-").all()
    # cellulus F1/SEG on 5 CTC datasets, contrastive CNN/mean/sd on 2, deepng kMC(5) x 3 subsets,
    # infogan MF (precision, recall, F-score) on dataset A
    assert len(stand_ins) == 10 + 6 + 3 + 3
    markdown = outputs[1].read_text()
    assert "configuration 'default': 229 published numbers (0 reproduced" in markdown
    assert "| 0.600 ± 0.040 | synth-histo |" in markdown
    assert "Not listed: 8 published rows" in markdown
    assert outputs[2].read_text().startswith(r"\begin{table}")


def test_the_scorecard_is_the_first_report_category() -> None:
    """Snakemake's report menu sorts categories by name (localeCompare): ours must come first."""
    rules = (REPO / "workflow" / "rules").glob("*.smk")
    text = "\n".join(path.read_text() for path in rules)
    ours = re.search(r'^SCORECARD_CATEGORY = "([^"]+)"', text, re.M)
    assert ours is not None
    others = set(re.findall(r'category="([^"]+)"', text))
    assert others and all(ours[1].casefold() < other.casefold() for other in others)


def test_contrastive_table1_cells_answer_the_papers_claims(tmp_path: Path) -> None:
    table = tmp_path / "contrastive_table1.csv"
    pd.DataFrame(
        {
            "dataset": ["monuseg", "monuseg"],
            "factor": ["patches", "patch size"],
            "value": [10, 50],
            "validation_dice": [0.71, 0.69],
            "runs": [3, 3],
        }
    ).to_csv(table, index=False)
    ours = pd.DataFrame(sc_ours.contrastive_table1_ours(table)).set_index(sc_claims.KEY)
    claims = sc_claims.published_claims(PUBLISHED).set_index(sc_claims.KEY)
    key = ("contrastive Table 1", "patches 10", "validation_dice", "monuseg")
    assert (ours.loc[key, "value"], ours.loc[key, "n_seeds"]) == (0.71, 3)
    assert claims.loc[key, "published"] == 0.7071
    assert set(ours.index) <= set(claims.index)
