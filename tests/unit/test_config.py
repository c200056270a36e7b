import pytest
import yaml

from cellbench.config import ConfigError, load_schema, validate_config
from cellbench.methods.contract import merged_mapping
from tests.conftest import REPO

SCHEMAS = REPO / "workflow" / "schemas"


def default_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_default_and_paper_configs_validate() -> None:
    config = default_config()
    validate_config(config, SCHEMAS)
    paper = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    validate_config(merged_mapping(config, paper), SCHEMAS)


def test_unknown_key_is_named() -> None:
    config = default_config()
    config["methods"]["otsu_watershed"]["datasetz"] = []
    with pytest.raises(ConfigError, match=r"methods\.otsu_watershed.*datasetz"):
        validate_config(config, SCHEMAS)


def test_wrong_type_is_named() -> None:
    config = default_config()
    config["seed"] = "zero"
    with pytest.raises(ConfigError, match="config key 'seed'"):
        validate_config(config, SCHEMAS)


def test_every_schema_property_is_described() -> None:
    def walk(node: dict, path: str) -> None:
        for key, child in node.get("properties", {}).items():
            assert "description" in child, f"{path}.{key} has no description"
            walk(child, f"{path}.{key}")
            if "items" in child and isinstance(child["items"], dict):
                walk(child["items"], f"{path}.{key}[]")

    walk(load_schema(SCHEMAS), "config")
