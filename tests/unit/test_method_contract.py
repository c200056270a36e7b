"""The method contract: discovery, one config class per method, config checks before any job."""

import copy

import pytest
import yaml

from cellbench.config import ConfigError, check_config_files, validate_config
from cellbench.methods.contract import MethodConfig, config_class, config_schema, discover_methods
from cellbench.methods.registry import load_segmenter
from tests.conftest import REPO

SCHEMAS = REPO / "workflow" / "schemas"


def default_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_methods_are_discovered_with_their_rule_files() -> None:
    methods = discover_methods()
    assert {"cellulus", "deepng", "otsu_watershed"} <= set(methods)
    for name in methods:
        assert (REPO / "workflow" / "rules" / f"{name}.smk").is_file(), name
        assert issubclass(config_class(name), MethodConfig)


@pytest.mark.parametrize("method", discover_methods())
def test_config_class_forbids_unknown_keys_and_describes_every_key(method: str) -> None:
    cls = config_class(method)
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        cls.model_validate({"no_such_key": 1})

    def walk(node: dict, path: str) -> None:
        assert node.get("additionalProperties") is False, f"{path} accepts unknown keys"
        for key, child in node.get("properties", {}).items():
            assert child.get("description"), f"{path}.{key} has no description"
            assert "default" in child, f"{path}.{key} has no default"
            if child.get("type") == "object":
                walk(child, f"{path}.{key}")

    walk(config_schema(method), f"methods.{method}")


def test_unknown_method_section_is_rejected() -> None:
    config = default_config()
    config["methods"]["celullus"] = {"datasets": ["synth-ctc"]}
    with pytest.raises(ConfigError, match="celullus"):
        validate_config(config, SCHEMAS)


def test_registry_finds_methods_by_name(tmp_path) -> None:
    with pytest.raises(KeyError, match="known: cellulus, deepng, otsu_watershed"):
        load_segmenter("nope", tmp_path / "m")


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        ({"cellulus": {"crop_size": 125}}, "methods.cellulus.crop_size", "must be even"),
        (
            {"cellulus": {"epochs": 10, "lr_milestones": [7, 12]}},
            "methods.cellulus",
            r"lr_milestones \[12\] lie beyond epochs \(10\)",
        ),
        (
            {"cellulus": {"fig5": {"epochs": 5, "lr_milestones": [9]}}},
            "methods.cellulus.fig5",
            r"fig5.lr_milestones \[9\] lie beyond epochs",
        ),
        ({"deepng": {"known_groups": ["CT9"]}}, "methods.deepng.known_groups.0", "'CT1'.*'CT7'"),
        (
            {"otsu_watershed": {"datasets": ["synth-dbs"]}},
            "methods.otsu_watershed.datasets",
            "unknown dataset 'synth-dbs'; valid names: .*synth-dsb",
        ),
        (
            {"cellulus": {"scale_sweep": {"datasets": ["synth-ctx"]}}},
            "methods.cellulus.scale_sweep.datasets",
            "unknown dataset 'synth-ctx'",
        ),
    ],
)
def test_bad_values_are_named_before_any_job(section: dict, key: str, message: str) -> None:
    config = default_config()
    for method, values in section.items():
        merged = copy.deepcopy(config["methods"][method])
        for name, value in values.items():
            if isinstance(value, dict):
                merged.setdefault(name, {}).update(value)
            else:
                merged[name] = value
        config["methods"][method] = merged
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMAS)
    line = next(li for li in str(error.value).splitlines() if f"'{key}'" in li)
    assert __import__("re").search(message, line), line


def test_a_method_is_turned_off_by_no_datasets_or_enabled_false() -> None:
    config = default_config()
    config["methods"]["cellulus"]["datasets"] = []
    config["methods"]["deepng"]["enabled"] = False
    del config["methods"]["otsu_watershed"]
    config["methods"]["spoco"]["enabled"] = False
    configs = validate_config(config, SCHEMAS)
    assert all(not cfg.active_datasets() for cfg in configs.values())


def test_yaml_syntax_error_and_duplicate_key_name_file_and_line(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\nmethods:\n  cellulus:\n    crop_size: [1\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:5: YAML syntax error"):
        check_config_files([bad])
    bad.write_text("seed: 1\nmethods:\n  cellulus:\n    epochs: 3\n    epochs: 4\n")
    with pytest.raises(
        ConfigError, match=r"bad.yaml:5: duplicate key 'epochs' \(first given on line 4\)"
    ):
        check_config_files([bad])
    check_config_files([REPO / "config" / "config.yaml", REPO / "config" / "paper.yaml"])


def test_job_params_hold_only_the_requested_keys() -> None:
    cfg = config_class("cellulus").model_validate({"datasets": ["synth-ctc"], "tau": 5})
    assert cfg.job_params("tau", "kappa") == {"tau": 5.0, "kappa": 10.0}
    with pytest.raises(KeyError, match="no key"):
        cfg.job_params("taux")
