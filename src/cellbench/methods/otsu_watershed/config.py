"""Configuration of the classical reference method: the section ``methods.otsu_watershed``."""

from __future__ import annotations

from pydantic import Field

from cellbench.methods.contract import MethodConfig


class OtsuWatershedConfig(MethodConfig):
    """Classical reference method (Otsu threshold + distance-transform watershed): the
    baseline row of every table. Its object radius is fitted on each dataset's training split."""

    smoothing_sigma: float = Field(
        1.0, ge=0, le=20, description="Gaussian pre-smoothing in pixels before thresholding."
    )
    min_size_fraction: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Objects smaller than this fraction of a disk of the fitted radius are dropped.",
    )
