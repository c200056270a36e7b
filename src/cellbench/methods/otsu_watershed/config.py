"""Configuration of the classical reference method: the section ``methods.otsu_watershed``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cellbench.methods.contract import MethodConfig

Threshold = Literal["otsu", "log_otsu", "li"]
Channel = Literal["mean", "haematoxylin", "excess_green"]


class OtsuWatershedConfig(MethodConfig):
    """Classical reference method (global threshold + distance-transform watershed): the
    baseline row of every table. Its object radius r, grey channel and threshold rule are
    fitted on each dataset's training split; the sizes below are fractions of r."""

    per_dataset = True

    smoothing_fraction: float = Field(
        0.1, ge=0, le=2, description="Gaussian pre-smoothing σ as a fraction of r (at least 1 px)."
    )
    opening_fraction: float = Field(
        0.1, ge=0, le=2, description="Radius of the speck-removing opening as a fraction of r."
    )
    seed_distance_fraction: float = Field(
        0.7, gt=0, le=4, description="Minimal distance between watershed seeds as a fraction of r."
    )
    min_size_fraction: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Objects smaller than this fraction of a disk of radius r are dropped.",
    )
    thresholds: list[Threshold] = Field(
        ["otsu", "log_otsu", "li"],
        min_length=1,
        description="Threshold rules tried on the training images (Otsu, Otsu of log-intensity, "
        "Li); the best pooled F1 wins.",
        json_schema_extra={"uniqueItems": True},
    )
    points_radius: float | None = Field(
        None,
        gt=0,
        le=1000,
        description="Object radius r in pixels (at scale 1) for a dataset annotated with points "
        "only (marrow-a: no instance labels to measure r, nor to choose the channel and "
        "threshold rule, which keeps its first value); null: such a dataset is an error.",
    )
    points_channel: Channel = Field(
        "haematoxylin",
        description="Grey channel for a dataset annotated with points only (nothing to choose "
        "it on); grey images use the channel mean.",
    )
    fit_images: int = Field(
        8, ge=1, le=1000, description="At most this many evenly spaced training images choose them."
    )
