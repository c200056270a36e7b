"""Per-dataset overrides of a method's keys and its benchmark-only datasets (method contract)."""

import copy
import re

import pytest
import yaml
from pydantic import ValidationError

from cellbench.config import ConfigError, validate_config
from cellbench.methods.contract import config_class, merged_mapping
from tests.conftest import REPO

SCHEMAS = REPO / "workflow" / "schemas"
CELLULUS = config_class("cellulus")
SPOCO = config_class("spoco")


def cellulus(**keys):
    return CELLULUS.model_validate({"datasets": ["synth-ctc", "synth-dsb"], **keys})


def test_no_override_is_the_config_itself() -> None:
    cfg = cellulus(epochs=40, overrides={"synth-dsb": {"epochs": 2, "lr_milestones": []}})
    assert cfg.for_dataset("synth-ctc") is cfg
    assert cfg.for_dataset("synth-ctc").job_params("epochs") == {"epochs": 40}
    plain = cellulus(epochs=40)
    assert plain.for_dataset("synth-dsb") is plain


def test_override_replaces_only_its_keys_and_merges_nested_groups() -> None:
    cfg = cellulus(
        epochs=10,
        lr_milestones=[7],
        num_fmaps=16,
        overrides={"synth-dsb": {"epochs": 2, "lr_milestones": [], "fig5": {"epochs": 300}}},
    )
    dsb = cfg.for_dataset("synth-dsb")
    assert (dsb.epochs, dsb.lr_milestones, dsb.num_fmaps) == (2, [], 16)
    assert dsb.fig5.epochs == 300
    assert dsb.fig5.repeats == cfg.fig5.repeats == 3  # the group's other keys are kept
    assert dsb.overrides == {} and dsb.datasets == cfg.datasets
    # job params: only what the override changes differs
    keys = ("epochs", "num_fmaps", "tau")
    assert cfg.job_params(*keys) == {"epochs": 10, "num_fmaps": 16, "tau": 10.0}
    assert dsb.job_params(*keys) == {"epochs": 2, "num_fmaps": 16, "tau": 10.0}


def test_run_lists_differ_per_dataset() -> None:
    cfg = SPOCO.model_validate(
        {
            "datasets": ["synth-leaves", "synth-ctc"],
            "modes": ["full", "sparse@0.4"],
            "clusterings": ["mws", "hdbscan"],
            "overrides": {"synth-ctc": {"modes": ["full"], "clusterings": ["mws"], "scale": 0.5}},
        }
    )
    ctc = cfg.for_dataset("synth-ctc")
    assert (ctc.modes, ctc.clusterings, ctc.scale) == (["full"], ["mws"], 0.5)
    assert cfg.for_dataset("synth-leaves").modes == ["full", "sparse@0.4"]


@pytest.mark.parametrize(
    ("override", "loc", "message"),
    [
        ({"epochs": 0}, ("overrides", "synth-dsb", "epochs"), "greater than or equal to 1"),
        ({"epochz": 2}, ("overrides", "synth-dsb", "epochz"), "not a key that can differ"),
        ({"datasets": []}, ("overrides", "synth-dsb", "datasets"), "not a key that can differ"),
        ({"epochs": 2}, ("overrides", "synth-dsb"), r"lr_milestones \[20, 30\] lie beyond"),
        ({"fig5": {"n_rays": 1}}, ("overrides", "synth-dsb", "fig5", "n_rays"), "greater than"),
    ],
)
def test_bad_override_is_named(override: dict, loc: tuple, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        cellulus(overrides={"synth-dsb": override})
    cause = error.value.errors()[0]["ctx"]["error"]
    assert cause.loc == loc
    assert re.search(message, cause.message), cause.message


def test_a_bad_section_value_is_named_at_its_key_not_at_an_override() -> None:
    """An override that leaves the bad key alone inherits it; the error names the section."""
    with pytest.raises(ValidationError) as error:
        cellulus(epochs=10, lr_milestones=[7, 12], overrides={"synth-ctc": {"num_passes": 8}})
    first = error.value.errors()[0]
    assert first["loc"] == () and "overrides" not in getattr(first["ctx"]["error"], "loc", ())
    assert "lr_milestones [12] lie beyond epochs (10)" in first["msg"]


def default_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def papers_only_config() -> dict:
    """The default configuration with the preset config/papers-only.yaml merged over it
    (as ``--configfile`` does: mappings key by key, lists replaced)."""
    preset = yaml.safe_load((REPO / "config" / "papers-only.yaml").read_text())
    return merged_mapping(default_config(), preset)


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        (
            {"overrides": {"synth-dsb": {"epochs": -1}}},
            "methods.cellulus.overrides.synth-dsb.epochs",
            "greater than or equal to 1",
        ),
        (
            {"overrides": {"synth-dsb": {"crop_sise": 64}}},
            "methods.cellulus.overrides.synth-dsb.crop_sise",
            "not a key that can differ per dataset",
        ),
        (
            {"overrides": {"synth-dbs": {"select_max_images": 1}}},
            "methods.cellulus.overrides",
            "unknown dataset 'synth-dbs'",
        ),
        (
            {"benchmark_only": ["synth-dbs"]},
            "methods.cellulus.benchmark_only",
            "unknown dataset 'synth-dbs'",
        ),
    ],
)
def test_bad_override_in_the_config_names_its_key(section: dict, key: str, message: str) -> None:
    config = default_config()
    cellulus_section = copy.deepcopy(config["methods"]["cellulus"])
    for name, value in section.items():
        if isinstance(value, dict):
            cellulus_section.setdefault(name, {}).update(value)
        else:
            cellulus_section[name] = value
    config["methods"]["cellulus"] = cellulus_section
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMAS)
    line = next(li for li in str(error.value).splitlines() if f"'{key}'" in li)
    assert message in line, line


def test_benchmark_only_datasets_are_left_out_of_the_paper_tables() -> None:
    configs = validate_config(default_config(), SCHEMAS)
    for method, paper in [
        ("cellulus", ["synth-ctc", "synth-tissuenet"]),
        ("contrastive", ["synth-histo"]),
        ("spoco", ["synth-leaves"]),
    ]:
        cfg = configs[method]
        assert cfg.paper_datasets() == paper
        assert set(cfg.active_datasets()) > set(paper)
    # a preset that replaces `datasets` keeps the default's overrides unused, not an error
    papers_only = validate_config(papers_only_config(), SCHEMAS)
    for method, paper in [
        ("cellulus", ["synth-ctc", "synth-tissuenet"]),
        ("spoco", ["synth-leaves"]),
    ]:
        cfg = papers_only[method]
        assert cfg.active_datasets() == cfg.paper_datasets() == paper and cfg.overrides


def test_default_runs_of_the_paper_datasets_are_unchanged() -> None:
    """The benchmark-only overrides leave the paper datasets' job params as they were (no rerun,
    same numbers); the paper datasets' own overrides change only their own keys: synth-ctc's test
    normalisation (an inference key), seeds and crop size, synth-tissuenet's training iterations."""
    configs = validate_config(default_config(), SCHEMAS)
    contrastive = configs["contrastive"]
    assert contrastive.for_dataset("synth-histo") is contrastive
    cellulus = configs["cellulus"]
    for dataset, own_values in [
        ("synth-ctc", {"inference_normalisation": "dataset", "seeds": [0, 1, 2], "crop_size": 96}),
        ("synth-tissuenet", {"iterations_per_epoch": 12}),
    ]:
        own = cellulus.for_dataset(dataset).to_dict()
        changed = {k for k, v in own.items() if v != cellulus.to_dict()[k]}
        assert changed == {*own_values, "overrides"}
        assert {k: own[k] for k in own_values} == own_values
    spoco = configs["spoco"]
    assert spoco.for_dataset("synth-leaves").scale == 0.25
    assert spoco.for_dataset("synth-dsb").scale == 0.5


def test_a_method_whose_rules_take_no_overrides_refuses_them() -> None:
    deepng = config_class("deepng")
    assert not deepng.per_dataset
    for key, value in [
        ("overrides", {"synth-dsb": {"scale": 0.5}}),
        ("benchmark_only", ["synth-dsb"]),
    ]:
        with pytest.raises(ValidationError, match="take no per-dataset values"):
            deepng.model_validate({"datasets": ["synth-dsb"], key: value})
