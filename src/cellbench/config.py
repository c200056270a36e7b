"""Configuration schema: one main schema plus one fragment per section, validated together.

The main schema is ``workflow/schemas/config.schema.yaml``. Each file
``workflow/schemas/parts/<dotted.key>.schema.yaml`` is the schema of the config entry at that
key (``methods.cellulus.schema.yaml`` describes ``config["methods"]["cellulus"]``), so that each
method owns its own schema file. Unknown keys are rejected everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from cellbench.errors import CellbenchError


class ConfigError(CellbenchError):
    """The configuration does not match the schema."""


def load_schema(schema_dir: str | Path) -> dict[str, Any]:
    """Main schema with every fragment of ``schema_dir/parts`` merged at its key."""
    schema_dir = Path(schema_dir)
    schema = yaml.safe_load((schema_dir / "config.schema.yaml").read_text())
    for part in sorted((schema_dir / "parts").glob("*.schema.yaml")):
        keys = part.name.removesuffix(".schema.yaml").split(".")
        node = schema
        for key in keys[:-1]:
            node = node.setdefault("properties", {}).setdefault(
                key, {"type": "object", "additionalProperties": False}
            )
        node.setdefault("properties", {})[keys[-1]] = yaml.safe_load(part.read_text())
    Draft202012Validator.check_schema(schema)
    return schema


def validate_config(config: dict[str, Any], schema_dir: str | Path) -> None:
    """Raise :class:`ConfigError` naming every offending key of ``config``."""
    validator = Draft202012Validator(load_schema(schema_dir))
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = []
        for error in errors:
            key = ".".join(map(str, error.absolute_path)) or "<top level>"
            lines.append(f"  config key '{key}': {error.message}")
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))
