"""Typed configuration of contrastive (paper 003, Boserup & Selvan, NLDL 2023).

Defaults are the paper's values (§3.2, Table 1) or, where the paper is silent, the authors'
code (nickeopti/bach-contrastive-segmentation). The section ``methods.contrastive`` maps onto
:class:`ContrastiveConfig`; no default is written anywhere else.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from cellbench.methods.contract import DatasetName, MethodConfig, Section

Similarity = Literal["mse", "ce"]
LossVariant = Literal["paper", "code"]
NormStatistics = Literal["running", "image"]

WHOLE_CELL_FLUORESCENCE = ("synth-tissuenet", "tissuenet")
"""Two-channel (nucleus + membrane) float fluorescence datasets labelled with whole cells."""


class Table1Config(Section):
    """Table 1 (paper §3.2): one-factor sweeps of the patches per image and channel (at the
    method's ``patch_size``) and of the patch size (at the method's ``patches``); each cell is the
    median over runs of the Dice on a seeded hold-out of the training images."""

    datasets: list[DatasetName] = Field(
        ["monuseg"],
        description="Datasets swept (paper: MoNuSeg); empty: no Table 1.",
        json_schema_extra={"uniqueItems": True},
    )
    patches: list[int] = Field(
        [5, 10, 15, 20, 25], description="Patches per image and channel tried (paper 5-25)."
    )
    patch_sizes: list[int] = Field(
        [20, 30, 50, 80, 120], description="Patch sides tried in px (paper 20-120)."
    )
    seeds: list[int] = Field([0, 1, 2], description="Runs per cell (paper: three, median).")
    validation_fraction: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="Share of the training images held out for validation (paper: not given; "
        "at least one image).",
    )
    split_seed: int = Field(0, ge=0, description="Seed of the hold-out draw (recorded).")

    @model_validator(mode="after")
    def _check(self) -> Table1Config:
        for name, lowest in (("patches", 1), ("patch_sizes", 2), ("seeds", 0)):
            values = getattr(self, name)
            if len(set(values)) != len(values) or any(v < lowest for v in values):
                raise ValueError(f"{name} must be unique integers >= {lowest}")
        return self


class ContrastiveConfig(MethodConfig):
    """Patch-based contrastive self-supervision (CSL) with the intensity-threshold and
    supervised-CNN baselines of Table 2. Post-processing radii are stored with each trained
    model (the shared prediction passes no method keys to the segmenter)."""

    per_dataset = True

    seeds: list[int] = Field(
        list(range(10)),
        description="Runs per dataset, one run seed<N> each (paper: ten).",
    )
    channels: int = Field(4, ge=1, le=32, description="Confidence channels K (paper 4).")
    width: int = Field(8, ge=1, le=256, description="Feature maps of the network (code: 8).")
    dilations: list[int] = Field(
        [1, 2, 3, 5, 10, 20],
        description="Dilation of each residual block (code: 1, 2, 3, 5, 10, 20).",
    )
    norm_statistics: NormStatistics = Field(
        "running",
        description="BatchNorm statistics at selection and inference: running (the code's "
        "eval mode) or image (each image's own statistics; a cellbench option for stain "
        "variation).",
    )
    similarity: Similarity = Field(
        "mse", description="Patch similarity: mse (paper's MoNuSeg choice) or ce (CoNSeP)."
    )
    loss_variant: LossVariant = Field(
        "paper",
        description="paper: Eq. 7-9 as printed; code: pooled reference draws, -log inter term.",
    )
    patch_size: int = Field(50, ge=2, le=512, description="Patch side in px (paper 50).")
    patch_stride: int = Field(20, ge=1, le=512, description="Candidate window stride (code 20).")
    patches: int = Field(10, ge=1, le=1000, description="Patches per image and channel (paper 10).")
    min_probability: float = Field(
        0.001, gt=0, le=1, description="Floor of the sampling weight 1 - entropy (code 0.001)."
    )
    epsilon: float = Field(
        0.05, ge=0, lt=1, description="Image shift (1 - eps) x + eps before training (code 0.05)."
    )
    learning_rate: float = Field(2e-4, gt=0, le=1, description="Adam learning rate (code 2e-4).")
    weight_decay: float = Field(1e-4, ge=0, le=1, description="Adam weight decay (code 1e-4).")
    batch_size: int = Field(10, ge=1, le=256, description="Images per batch (paper 10).")
    crop_size: int = Field(
        300, ge=8, le=4096, description="Random crop side per image and epoch (paper 300)."
    )
    epochs: int = Field(300, ge=1, le=100000, description="Training epochs (paper: up to 300).")
    threshold: float = Field(0.5, gt=0, lt=1, description="Confidence threshold (paper 0.5).")
    selection_images: int = Field(
        0,
        ge=0,
        description="Training images scored after each epoch for the best epoch/channel "
        "(0 = all, the paper; fewer only to bound CPU time).",
    )
    selection_crop: int = Field(
        0,
        ge=0,
        description="Side of one crop of each selection image, placed at a position drawn once "
        "from the run seed (0 = whole image, the paper; smaller only to bound CPU time).",
    )
    opening_radius: int = Field(3, ge=0, le=32, description="First opening/closing radius (3).")
    closing_radius: int = Field(1, ge=0, le=32, description="Second opening/closing radius (1).")
    cnn_epochs: int = Field(
        100, ge=1, le=100000, description="Supervised CNN baseline epochs (paper: not given)."
    )
    cnn_learning_rate: float = Field(
        1e-3, gt=0, le=1, description="Supervised CNN Adam learning rate (paper: not given)."
    )
    cnn_seed: int = Field(0, ge=0, description="Seed of the supervised CNN baseline.")
    threshold_grid: int = Field(
        100, ge=2, le=10000, description="Intensity thresholds tried in [0, 1] (code 100)."
    )
    table1: Table1Config = Field(
        Table1Config(), description=" ".join((Table1Config.__doc__ or "").split())
    )

    def not_applicable(self, dataset: str) -> str | None:
        if dataset not in WHOLE_CELL_FLUORESCENCE:
            return None
        return (
            "two-channel float fluorescence with whole-cell labels: CSL learns one foreground "
            "confidence map of a grey/RGB image in [0, 1] and its instances are the connected "
            "components of that mask (paper 003 Sec. 2.1, 3.2: nuclei in H&E), which cannot "
            "split cells that tile the tissue"
        )

    @model_validator(mode="after")
    def _check(self) -> ContrastiveConfig:
        if self.patch_size > self.crop_size:
            raise ValueError(f"patch_size {self.patch_size} exceeds crop_size {self.crop_size}")
        if any(d < 1 for d in self.dilations) or not self.dilations:
            raise ValueError("dilations must be a non-empty list of positive integers")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError("seeds must be unique")
        return self
