"""Configuration: validated as a whole before any job runs.

The schema of the workflow keys is ``workflow/schemas/config.schema.yaml`` plus one fragment per
section in ``workflow/schemas/parts/<dotted.key>.schema.yaml``. The schema of each method
section ``methods.<name>`` is generated from that method's config class
(:mod:`cellbench.methods.contract`), which also checks the rules that span several keys; that of
``benchmark`` from :class:`cellbench.benchmark.config.BenchmarkConfig`. Dataset
names are checked against the datasets cellbench can build. Unknown keys are rejected
everywhere; every error names its key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from cellbench.benchmark.config import BenchmarkConfig, benchmark_schema
from cellbench.errors import CellbenchError
from cellbench.methods.contract import (
    ConfigKeyError,
    MethodConfig,
    config_class,
    config_schema,
    discover_methods,
)


class ConfigError(CellbenchError):
    """The configuration does not match the schema."""


def load_schema(schema_dir: str | Path) -> dict[str, Any]:
    """Main schema with every fragment of ``schema_dir/parts`` and every method's merged at its key."""
    schema_dir = Path(schema_dir)
    schema = yaml.safe_load((schema_dir / "config.schema.yaml").read_text())
    parts = {
        tuple(part.name.removesuffix(".schema.yaml").split(".")): yaml.safe_load(part.read_text())
        for part in sorted((schema_dir / "parts").glob("*.schema.yaml"))
    }
    parts.update({("methods", name): config_schema(name) for name in discover_methods()})
    parts[("benchmark",)] = benchmark_schema()
    for keys, fragment in parts.items():
        node = schema
        for key in keys[:-1]:
            node = node.setdefault("properties", {}).setdefault(
                key, {"type": "object", "additionalProperties": False}
            )
        node.setdefault("properties", {})[keys[-1]] = fragment
    Draft202012Validator.check_schema(schema)
    return schema


def known_datasets() -> list[str]:
    """Every dataset name a method may list: the synthetic suite and the real datasets."""
    from cellbench.data.sources.catalog import REAL_DATASETS
    from cellbench.data.synth import DOMAINS

    return [f"synth-{domain}" for domain in DOMAINS] + list(REAL_DATASETS)


def _dataset_names(node: Any, path: str) -> list[tuple[str, str]]:
    """(key, name) of every ``dataset``/``datasets``/``*_datasets``/``benchmark_only`` value and
    ``overrides`` key in a method section."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "overrides" and isinstance(value, dict):
                found += [(f"{path}.{key}", str(name)) for name in value]
                found += _dataset_names(value, f"{path}.{key}")
            elif (
                key in ("datasets", "benchmark_only") or key.endswith("_datasets")
            ) and isinstance(value, list):
                found += [(f"{path}.{key}", str(v)) for v in value]
            elif key == "dataset" and value:
                found.append((f"{path}.{key}", str(value)))
            else:
                found += _dataset_names(value, f"{path}.{key}")
    return found


def method_configs(config: dict[str, Any]) -> tuple[dict[str, MethodConfig], list[str]]:
    """The validated config of every method (absent ones: defaults, i.e. off) and the errors."""
    configs: dict[str, MethodConfig] = {}
    errors: list[str] = []
    known = set(known_datasets())
    for name in discover_methods():
        section = (config.get("methods") or {}).get(name) or {}
        try:
            configs[name] = config_class(name).model_validate(section)
        except ValidationError as exc:
            for error in exc.errors():
                loc, message = tuple(map(str, error["loc"])), error["msg"]
                cause = (error.get("ctx") or {}).get("error")
                if isinstance(cause, ConfigKeyError):
                    loc, message = (*loc, *cause.loc), cause.message
                key = ".".join(["methods", name, *loc])
                errors.append(f"  config key '{key}': {message}")
            continue
        for key, dataset in _dataset_names(section, f"methods.{name}"):
            if dataset not in known:
                errors.append(
                    f"  config key '{key}': unknown dataset {dataset!r}; valid names: "
                    + ", ".join(sorted(known))
                )
    return configs, errors


def benchmark_config(config: dict[str, Any]) -> tuple[BenchmarkConfig | None, list[str]]:
    """The validated ``benchmark`` section (absent: defaults) and the errors naming its keys."""
    from cellbench.methods.cellulus.config import PRETRAINED_TOOLS

    try:
        cfg = BenchmarkConfig.model_validate(config.get("benchmark") or {})
    except ValidationError as exc:
        return None, [
            f"  config key '{'.'.join(['benchmark', *map(str, e['loc'])])}': {e['msg']}"
            for e in exc.errors()
        ]
    errors = []
    methods = [*discover_methods(), *PRETRAINED_TOOLS]
    known = set(known_datasets())
    for i, method in enumerate(cfg.methods):
        if method not in methods:
            errors.append(
                f"  config key 'benchmark.methods.{i}': unknown method {method!r}; valid names: "
                + ", ".join(methods)
            )
    for i, dataset in enumerate(cfg.datasets):
        if dataset not in known:
            errors.append(
                f"  config key 'benchmark.datasets.{i}': unknown dataset {dataset!r}; valid names: "
                + ", ".join(sorted(known))
            )
    return cfg, errors


def validate_config(config: dict[str, Any], schema_dir: str | Path) -> dict[str, MethodConfig]:
    """The validated method configs; :class:`ConfigError` naming every offending key."""
    validator = Draft202012Validator(load_schema(schema_dir))
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    lines = []
    for error in errors:
        key = ".".join(map(str, error.absolute_path)) or "<top level>"
        lines.append(f"  config key '{key}': {error.message}")
    if not lines:
        configs, lines = method_configs(config)
        lines += benchmark_config(config)[1]
    if lines:
        raise ConfigError("invalid configuration:\n" + "\n".join(lines))
    return configs


def resolved_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with every method section complete (defaults filled in), as the jobs see it."""
    configs, errors = method_configs(config)
    if errors:
        raise ConfigError("invalid configuration:\n" + "\n".join(errors))
    return {**config, "methods": {name: cfg.to_dict() for name, cfg in configs.items()}}


class _StrictLoader(yaml.SafeLoader):
    """YAML loader for config files: a key given twice in one mapping is an error."""


def _strict_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise ConfigError(
                f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key {key!r} "
                f"(first given on line {seen[key]}); YAML would silently keep the last one"
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _strict_mapping)


def check_config_files(paths: list[str | Path]) -> None:
    """:class:`ConfigError` naming file and line for a YAML syntax error or a duplicate key."""
    for path in map(Path, paths):
        try:
            text = path.read_text()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file ({exc})") from exc
        try:
            yaml.load(text, Loader=_make_loader(path))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f":{mark.line + 1}" if mark else ""
            raise ConfigError(f"{path}{line}: YAML syntax error: {exc.problem}") from exc


def _make_loader(path: Path) -> Any:
    def loader(stream: str) -> _StrictLoader:
        instance = _StrictLoader(stream)
        instance.name = str(path)
        return instance

    return loader
