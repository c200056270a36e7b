"""The method plug-in contract: discovery of methods and the base of every method's config.

A method ``<name>`` is the package ``cellbench.methods.<name>`` holding

* ``config.py`` with exactly one subclass of :class:`MethodConfig` (the whole configuration of
  the method: every key it reads, each a bounded ``Field`` with a description);
* ``load(model_path, device="auto")`` returning an object with ``segment(image) -> labels`` at the
  image's own size (the segmenter never rescales: :mod:`cellbench.methods.predict` does);

plus the rule file ``workflow/rules/<name>.smk``. Nothing else is registered anywhere: the
Snakefile includes the rule file of every package found here, the config schema and
``config/README.md`` are generated from the config classes, and the registry imports
``cellbench.methods.<name>`` by name.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError

PACKAGE_DIR = Path(__file__).parent

DatasetName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Section(BaseModel):
    """A nested group of keys: unknown keys rejected, values frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Any:
        """Validate a (partial) mapping; missing keys take the defaults declared here."""
        return cls.model_validate(data or {})


class ConfigKeyError(ValueError):
    """A bad value under a key of a method section; ``loc`` is the key path below the section
    (:func:`cellbench.config.method_configs` names it in the error)."""

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(f"{'.'.join(loc)}: {message}")
        self.loc = loc
        self.message = message


def merged_mapping(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied, neither modified: a mapping into a mapping key by key
    (a nested group), anything else replaced, as Snakemake merges ``--configfile`` files."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged_mapping(out[key], value)
        else:
            out[key] = value
    return out


class MethodConfig(Section):
    """Keys every method has; a method's config class adds its own."""

    per_dataset: ClassVar[bool] = False
    """True when the method's rule file takes every job's keys from :meth:`for_dataset` and
    leaves ``benchmark_only`` datasets out of its tables; otherwise both keys are refused."""

    enabled: bool = Field(
        True, description="false turns the method off (as does an empty `datasets` list)."
    )
    datasets: list[DatasetName] = Field(
        [],
        description="Datasets the method is trained on and scored on (empty: method off).",
        json_schema_extra={"uniqueItems": True},
    )
    scale: float = Field(
        1.0,
        gt=0,
        le=4,
        description=(
            "Images are resized by this factor times the dataset's own scale before training and "
            "inference (labels are mapped back to the original size); 1 = paper."
        ),
    )

    benchmark_only: list[DatasetName] = Field(
        [],
        description="Datasets of `datasets` the method runs on for the cross-method benchmark "
        "only: scored there, left out of its paper's tables and figures (a name not in "
        "`datasets` is ignored, so that a preset can replace `datasets`); an error for a "
        "method whose rules do not support it.",
        json_schema_extra={"uniqueItems": True},
    )
    overrides: dict[DatasetName, dict[str, Any]] = Field(
        {},
        description="Per-dataset values of this method's own keys, {dataset: {key: value}} "
        "(e.g. a shorter schedule on a dataset outside its paper); a nested group is merged "
        "key by key. Every other dataset, and every key left out, takes the values above; the "
        "overrides of a dataset not in `datasets` are checked but unused (a preset can replace "
        "`datasets`); an error for a method whose rules do not support them.",
        json_schema_extra={"additionalProperties": False},
    )

    @model_validator(mode="after")
    def _check_datasets(self) -> Self:
        if not self.per_dataset:
            for key in ("overrides", "benchmark_only"):
                if getattr(self, key):
                    raise ConfigKeyError((key,), "this method's rules take no per-dataset values")
        keys = set(type(self).model_fields) - set(PER_RUN_KEYS)
        for dataset, values in self.overrides.items():
            where = ("overrides", dataset)
            for key in values:
                if key not in keys:
                    raise ConfigKeyError((*where, key), "not a key that can differ per dataset")
            try:
                self.for_dataset(dataset)
            except ValidationError as exc:
                if not self._valid_without_overrides():
                    return self  # the section's own validators name the offending key
                error = exc.errors()[0]
                loc = tuple(map(str, error["loc"]))
                cause = (error.get("ctx") or {}).get("error")
                if isinstance(cause, ConfigKeyError):
                    loc, message = (*loc, *cause.loc), cause.message
                else:
                    message = error["msg"]
                raise ConfigKeyError((*where, *loc), message) from None
        return self

    def _valid_without_overrides(self) -> bool:
        """Whether the section passes its own checks with no overrides applied."""
        try:
            type(self).model_validate({**self.model_dump(mode="json"), "overrides": {}})
        except ValidationError:
            return False
        return True

    def for_dataset(self, dataset: str) -> Self:
        """This config with ``overrides[dataset]`` applied (itself when there is none)."""
        values = self.overrides.get(dataset)
        if not values:
            return self
        merged = merged_mapping(self.model_dump(mode="json"), values)
        return type(self).model_validate({**merged, "overrides": {}})

    def active_datasets(self) -> list[str]:
        """Datasets the method runs on: none when disabled."""
        return list(self.datasets) if self.enabled else []

    def paper_datasets(self) -> list[str]:
        """Active datasets of the paper's tables and figures (all but ``benchmark_only``)."""
        return [d for d in self.active_datasets() if d not in self.benchmark_only]

    def not_applicable(self, dataset: str) -> str | None:
        """Why the method cannot run on ``dataset`` (the benchmark shows it), None if it can."""
        return None

    def job_params(self, *keys: str) -> dict[str, Any]:
        """The values of ``keys`` only (a rule's params: a change elsewhere never reruns it)."""
        unknown = set(keys) - set(type(self).model_fields)
        if unknown:
            raise KeyError(f"{type(self).__name__} has no key(s) {sorted(unknown)}")
        return self.model_dump(mode="json", include=set(keys))


PER_RUN_KEYS = ("enabled", "datasets", "benchmark_only", "overrides")
"""Keys of every method that say where it runs; no job reads them and no dataset overrides them."""


def discover_methods() -> list[str]:
    """Names of the method packages: every ``cellbench/methods/<name>/config.py``."""
    return sorted(p.parent.name for p in PACKAGE_DIR.glob("*/config.py"))


@cache
def config_class(method: str) -> type[MethodConfig]:
    """The one :class:`MethodConfig` subclass defined in ``cellbench.methods.<method>.config``."""
    module = importlib.import_module(f"cellbench.methods.{method}.config")
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, MethodConfig)
        and value is not MethodConfig
        and value.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise TypeError(
            f"{module.__name__} must define exactly one MethodConfig subclass, found {len(found)}"
        )
    return found[0]


def inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/X"}`` replaced by the definition of X."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = inline_refs(defs[node["$ref"].rsplit("/", 1)[1]], defs)
            return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return {k: inline_refs(v, defs) for k, v in node.items() if k not in ("$defs", "title")}
    if isinstance(node, list):
        return [inline_refs(item, defs) for item in node]
    return node


def config_schema(method: str) -> dict[str, Any]:
    """JSON schema of ``methods.<method>``, generated from its config class (no ``$ref``)."""
    cls = config_class(method)
    schema = cls.model_json_schema()
    schema = inline_refs(schema, schema.get("$defs", {}))
    schema["description"] = " ".join((cls.__doc__ or "").split())
    return schema


def working_scale(dataset: PreparedDataset | str | Path, scale: float = 1.0) -> float:
    """The scale a method sees a dataset at: the dataset's own scale × ``scale``.

    ``scale`` is the method config's ``scale`` × the run's own factor; the shared prediction code
    (:mod:`cellbench.methods.predict`) and every training function use this one function.
    """
    if not isinstance(dataset, PreparedDataset):
        dataset = PreparedDataset(dataset)
    if not (np.isfinite(scale) and scale > 0):
        raise InputError(dataset.root, f"scale must be a positive finite number, got {scale}")
    return dataset.info.scale * scale
