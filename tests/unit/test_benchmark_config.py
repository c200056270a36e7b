"""The `benchmark:` section: validation, selection of summaries, not-applicable reasons."""

from __future__ import annotations

import copy

import pytest
import yaml

from cellbench.benchmark.matrix import not_applicable_reasons, select_summaries
from cellbench.config import ConfigError, validate_config
from tests.conftest import REPO

SCHEMAS = REPO / "workflow" / "schemas"
DEFAULT = yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def with_benchmark(**section: object) -> dict:
    config = copy.deepcopy(DEFAULT)
    config["benchmark"] = {**config["benchmark"], **section}
    return config


def test_the_section_is_optional_and_its_defaults_validate() -> None:
    config = copy.deepcopy(DEFAULT)
    del config["benchmark"]
    validate_config(config, SCHEMAS)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"methods": ["otsu_watershed", "nope"]}, "'benchmark.methods.1': unknown method 'nope'"),
        ({"datasets": ["synth-dsb", "nope"]}, "'benchmark.datasets.1': unknown dataset 'nope'"),
        ({"metrics": ["iou"]}, "benchmark.metrics.0"),
        ({"alpha": 0.5}, "benchmark.alpha"),
        ({"bootstrap_samples": 10}, "benchmark.bootstrap_samples"),
        ({"seeds": [0]}, "benchmark"),
    ],
)
def test_bad_values_are_named(section: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        validate_config(with_benchmark(**section), SCHEMAS)


def test_pretrained_tools_are_benchmark_methods() -> None:
    validate_config(with_benchmark(methods=["cellulus", "stardist"]), SCHEMAS)


def test_select_summaries_by_method_and_dataset() -> None:
    paths = [
        f"results/evaluation/{m}/{d}/{r}/summary.json"
        for m, d, r in [
            ("otsu_watershed", "synth-dsb", "default"),
            ("deepng", "synth-dsb", "kmc-k2-seed0"),
            ("otsu_watershed", "synth-ctc", "default"),
        ]
    ]
    assert select_summaries(paths, ["otsu_watershed"], []) == [paths[0], paths[2]]
    assert select_summaries(paths, ["otsu_watershed", "deepng"], ["synth-dsb"]) == paths[:2]


def test_not_applicable_reasons_come_from_the_method_configs() -> None:
    configs = validate_config(DEFAULT, SCHEMAS)
    reasons = not_applicable_reasons(
        configs,
        ["deepng", "infogan", "otsu_watershed", "stardist"],
        ["synth-dsb", "synth-ctc", "synth-histo", "synth-marrow"],
    )
    stains = "the nuclei segmentation separates H&E stains (paper 002, Sec. III-B1)"
    smear = (
        "a Giemsa-like smear labelled by whole cells; the nuclei segmentation separates H&E "
        "stains and outputs nuclei (paper 002, Sec. III-B1)"
    )
    groups = "needs the DSB 2018 cell-type groups CT1-CT7 (paper 000, Sec. II-A)"
    assert reasons == {
        "deepng": {"synth-ctc": groups, "synth-histo": groups, "synth-marrow": groups},
        "infogan": {"synth-dsb": stains, "synth-ctc": stains, "synth-marrow": smear},
        "otsu_watershed": {},
    }
