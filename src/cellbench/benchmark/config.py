"""Configuration of the cross-method benchmark: the top-level section ``benchmark``.

One class holds every key; its JSON schema is merged into the config schema at ``benchmark`` by
:func:`cellbench.config.load_schema` and ``config/README.md`` is generated from it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from cellbench.methods.contract import DatasetName, Section, inline_refs

Metric = Literal["f1", "seg", "dsb_map", "aji", "sbd", "dice", "abs_dic"]
UNIQUE = {"uniqueItems": True}


class ScorecardConfig(Section):
    """Reproduction scorecard (workflow/rules/scorecard.smk): every published number beside ours
    from the same configuration. Ours lies within the paper's spread when |ours - published| is
    at most the published sd; where the paper gives no sd, at most these tolerances."""

    tolerance: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Absolute tolerance for scores in [0, 1] (and entropies) without a published "
        "sd: about the run-to-run sd the papers report for such scores (0.01-0.09) plus the "
        "rounding of two-decimal tables.",
    )
    abs_dic_tolerance: float = Field(
        0.5,
        ge=0,
        le=100,
        description="Absolute tolerance for |DiC| (objects per image) without a published sd: half "
        "an object, the rounding of one-decimal tables.",
    )


class BenchmarkConfig(Section):
    """Cross-method benchmark (workflow/rules/benchmark.smk): one row per method variant (its run
    name without the seed) and dataset, 95% bootstrap intervals over images, paired Wilcoxon
    tests against otsu_watershed and the best variant (Holm), average ranks with the Nemenyi
    critical difference (Demšar 2006)."""

    datasets: list[DatasetName] = Field(
        [],
        description="Datasets (columns) of the benchmark; empty: every dataset some listed method "
        "runs on.",
        json_schema_extra=UNIQUE,
    )
    methods: list[str] = Field(
        [],
        description="Methods of the benchmark (each variant of a method is a row): method packages "
        "and the pretrained tools stardist/cellpose; empty: every method package.",
        json_schema_extra=UNIQUE,
    )
    metrics: list[Metric] = Field(
        ["f1", "seg", "dsb_map", "aji", "sbd", "dice"],
        min_length=1,
        description="Dataset-level metrics shown (definitions in each evaluation summary): F1@0.5 "
        "and CTC SEG from counts pooled over images, DSB mAP, AJI, SBD, foreground Dice and |DiC| as "
        "means over images.",
        json_schema_extra=UNIQUE,
    )
    bootstrap_seed: int = Field(
        0, ge=0, le=2**32 - 1, description="Seed of the bootstrap resampling of images."
    )
    bootstrap_samples: int = Field(
        1000, ge=100, le=100000, description="Bootstrap resamples of the images per cell."
    )
    alpha: float = Field(
        0.05,
        gt=0,
        lt=0.5,
        description="Level of the tests and the critical difference; intervals cover 1 - alpha.",
    )
    scorecard: ScorecardConfig = Field(
        ScorecardConfig(), description=" ".join((ScorecardConfig.__doc__ or "").split())
    )


def benchmark_schema() -> dict[str, Any]:
    """JSON schema of the ``benchmark`` section, generated from :class:`BenchmarkConfig`."""
    schema = BenchmarkConfig.model_json_schema()
    schema = inline_refs(schema, schema.get("$defs", {}))
    schema["description"] = " ".join((BenchmarkConfig.__doc__ or "").split())
    return schema
