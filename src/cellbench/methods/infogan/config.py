"""Configuration of infogan (paper 002, Hu et al. 2019): the section ``methods.infogan``.

One :class:`InfoganConfig` with the paper's values as defaults; CPU-sized values of the default
config are stated beside the paper's in ``config/config.yaml``. The key groups below are what
each rule passes to its job (a change elsewhere never reruns it).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from cellbench.methods.contract import DatasetName, MethodConfig, Section

UNIQUE = {"uniqueItems": True}
CELL_KEYS = ("scale", "cells", "crop_size", "segmentation")
TRAIN_KEYS = (
    "crop_size",
    "noise_dim",
    "width",
    "batch_size",
    "iterations",
    "epochs",
    "critic_steps",
    "learning_rate",
    "betas",
    "lambda_gp",
    "lambda_info",
    "augmentation",
    "log_every",
)
DNN_WEIGHTS = ("imagenet", "imagenet-v2", "none")


class SegmentationConfig(Section):
    """Unsupervised nuclei segmentation (Sec. III-B1, Implementation "Segmentation Parameters")."""

    target_mean: tuple[float, float, float] = Field(
        (8.98, 0.08, 0.02), description="Reinhard target lαβ mean (paper: 8.98, 0.08, 0.02)."
    )
    target_std: tuple[float, float, float] = Field(
        (0.64, 0.11, 0.03), description="Reinhard target lαβ std (paper: 0.64, 0.11, 0.03)."
    )
    min_magnitude: float = Field(
        16.0, ge=0, le=255, description="Macenko: OD magnitude (0-255 scale) ignored (paper 16)."
    )
    angle_percentile: float = Field(
        1.0, ge=0, lt=50, description="Macenko: stain angles at p and 100-p percent (paper 1)."
    )
    deconvolve: Literal["normalised", "original"] = Field(
        "normalised",
        description="Image that is deconvolved: the Reinhard-normalised one (paper) or the "
        "original (authors' code).",
    )
    threshold: float = Field(
        120.0, gt=0, lt=255, description="Haematoxylin intensity threshold (paper 120; code 160)."
    )
    min_size: int = Field(
        200, ge=0, le=1_000_000, description="Objects smaller than this (px) are removed."
    )
    protrusion_radius: int = Field(
        2, ge=0, le=10, description="Disk radius of the thin-protrusion removal (0 = off)."
    )
    opening_size: int = Field(7, ge=1, le=31, description="Square opening side (paper 7).")
    heuristics: Literal["none", "code"] = Field(
        "none",
        description="'code': the authors' bounding-box rules (keep 100 < bbox area < 450, open "
        "larger ones and keep pieces with bbox < 800) after the paper's steps.",
    )
    detection: Literal["threshold", "clog"] = Field(
        "threshold",
        description="Nuclei from the hole-filled threshold mask by the paper's steps (small "
        "objects, protrusions, opening) or, 'clog', by the authors' code: cLoG seeds + local-max "
        "clustering, clusters < min_size dropped, compaction (clog_sigma, clog_radius, "
        "compaction).",
    )
    clog_sigma: tuple[float, float] = Field(
        (5 * 2**0.5, 30 * 2**0.5), description="cLoG σ range (code 5√2, 30√2)."
    )
    clog_radius: float = Field(
        10.0, gt=0, le=100, description="Local-max clustering radius in px (code 10)."
    )
    compaction: int = Field(
        3, ge=1, le=20, description="Compaction depth d of the protrusion removal (code 3)."
    )

    @model_validator(mode="after")
    def _check_sigma(self) -> SegmentationConfig:
        if not 0 < self.clog_sigma[0] <= self.clog_sigma[1] <= 200:
            raise ValueError("clog_sigma must satisfy 0 < min <= max <= 200")
        return self


class DnnConfig(Section):
    """Optional DNN baseline of Tables I and III (ImageNet ResNet-50 features + L2-SVM /
    k-means): off by default, it needs envs/torchvision.yaml (extra `dnn`) and downloads the
    weights."""

    enabled: bool = Field(False, description="Add the DNN rows to Tables I and III.")
    weights: str = Field(
        "imagenet",
        min_length=1,
        description="'imagenet' (torchvision IMAGENET1K_V1, the paper's era; downloaded into "
        "$TORCH_HOME), 'imagenet-v2' (IMAGENET1K_V2), a local .pth state dict (offline compute "
        "nodes) or 'none' (random weights: tests only).",
    )
    layer: Literal["layer3", "layer4"] = Field(
        "layer3",
        description="Block whose output is average-pooled: layer3 (1024-D, the dimension the "
        "paper prints) or layer4 (2048-D, the classifier's input).",
    )
    input_size: int = Field(
        224, ge=32, le=512, description="Side the 32² crops are resized to (ImageNet: 224)."
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Crops per forward pass.")

    @model_validator(mode="after")
    def _check_weights(self) -> DnnConfig:
        if self.weights not in DNN_WEIGHTS and not self.weights.endswith((".pth", ".pt")):
            raise ValueError(
                f"weights must be one of {', '.join(DNN_WEIGHTS)} or a .pth/.pt path, "
                f"got {self.weights!r}"
            )
        return self

    def weights_file(self) -> str | None:
        """The local state dict, None for torchvision's or random weights."""
        return None if self.weights in DNN_WEIGHTS else self.weights


HE_DATASETS = ("synth-histo", "monuseg", "consep", "marrow-a")
"""H&E-stained datasets labelled by nuclei: the only ones the nuclei segmentation fits."""
WHOLE_CELL_SMEARS = ("synth-marrow",)
"""Giemsa-like smears labelled by whole cells (nucleus + cytoplasm): the GAN's cells only."""


class InfoganConfig(MethodConfig):
    """infogan (paper 002): unsupervised nuclei segmentation (scored by the shared evaluation on
    `segmentation_datasets`), WGAN-GP + InfoGAN on 32×32 cell crops and Tables I–IV / Figs. 5,
    8, 9, 10 on `datasets`. Keys left out take the paper's values
    (cellbench.methods.infogan.config)."""

    datasets: list[DatasetName] = Field(
        [],
        description="Datasets of the cell-level experiments (GAN training on the training "
        "images' cells, Tables I–IV and figures); empty: none.",
        json_schema_extra=UNIQUE,
    )
    segmentation_datasets: list[DatasetName] = Field(
        [],
        description="H&E datasets whose test images the nuclei segmentation predicts for the "
        "shared evaluation; empty: none.",
        json_schema_extra=UNIQUE,
    )
    seeds: list[Annotated[int, Field(ge=0)]] = Field(
        [0], min_length=1, description="Training seeds."
    )
    segmentation: SegmentationConfig = Field(
        SegmentationConfig(), description="Nuclei segmentation (Sec. III-B1)."
    )
    crop_size: int = Field(32, ge=8, le=128, description="Cell crop side (paper 32).")
    cells: Literal["labels", "segmentation"] = Field(
        "segmentation",
        description="Where the cells come from: the nuclei segmentation (paper pipeline) or "
        "the dataset's instance labels (synthetic data with per-object categories).",
    )
    categories: int = Field(5, ge=2, le=20, description="k of the categorical code c (paper 5).")
    noise_dim: int = Field(32, ge=1, le=512, description="Gaussian z size (paper 32; 64 for C).")
    width: int = Field(128, ge=4, le=512, description="Channels of every residual block (128).")
    batch_size: int = Field(64, ge=2, le=1024, description="Batch size (paper 64; code 10).")
    iterations: int = Field(
        0,
        ge=0,
        le=10_000_000,
        description="Generator iterations; 0 = the paper's 10 epochs of the augmented cells.",
    )
    epochs: int = Field(
        10, ge=1, le=10_000, description="Epochs when iterations = 0 (paper 10; code 50)."
    )
    critic_steps: int = Field(5, ge=1, le=20, description="Critic steps per G step (paper 5).")
    learning_rate: float = Field(1e-4, gt=0, le=1, description="Adam lr (paper 1e-4).")
    betas: tuple[float, float] = Field((0.5, 0.9), description="Adam betas (paper 0.5, 0.9).")
    lambda_gp: float = Field(
        10.0, ge=0, le=1000, description="Gradient-penalty weight λ1 (paper 10)."
    )
    lambda_info: float = Field(1.0, ge=0, le=1000, description="Info weight λ2 (paper 1).")
    augmentation: Literal["rotations", "flips", "none"] = Field(
        "rotations",
        description="Training augmentation: rotations 90/180/270 (paper) or flips (code).",
    )
    log_every: int = Field(
        10, ge=1, le=100_000, description="Generator iterations between Fig. 9 curve points."
    )
    table2_k: list[Annotated[int, Field(ge=2, le=20)]] = Field(
        [4, 5, 6],
        min_length=1,
        json_schema_extra=UNIQUE,
        description="k of Table II (paper 4, 5, 6); each k other than categories trains a GAN.",
    )
    cv_folds: int = Field(4, ge=2, le=20, description="Folds of Table IV (paper 4).")
    dnn: DnnConfig = Field(DnnConfig(), description=" ".join((DnnConfig.__doc__ or "").split()))

    @model_validator(mode="after")
    def _check(self) -> InfoganConfig:
        if not 0 <= self.betas[0] < 1 or not 0 <= self.betas[1] < 1:
            raise ValueError("betas must lie in [0, 1)")
        if self.crop_size % 8:
            raise ValueError("crop_size must be a multiple of 8 (three 2x up-samplings)")
        return self

    def active_datasets(self) -> list[str]:
        """Every dataset the method runs on (cell experiments and nuclei segmentation)."""
        return sorted({*self.cell_datasets(), *self.nuclei_datasets()})

    def cell_datasets(self) -> list[str]:
        """Datasets of the GAN and Tables I–IV: none when disabled."""
        return list(self.datasets) if self.enabled else []

    def dnn_datasets(self) -> list[str]:
        """Datasets of the optional DNN rows of Tables I and III: none when off."""
        return self.cell_datasets() if self.dnn.enabled else []

    def nuclei_datasets(self) -> list[str]:
        """Datasets the nuclei segmentation is scored on: none when disabled."""
        return list(self.segmentation_datasets) if self.enabled else []

    def not_applicable(self, dataset: str) -> str | None:
        if dataset in HE_DATASETS:
            return None
        if dataset in WHOLE_CELL_SMEARS:
            return (
                "a Giemsa-like smear labelled by whole cells; the nuclei segmentation separates "
                "H&E stains and outputs nuclei (paper 002, Sec. III-B1)"
            )
        return "the nuclei segmentation separates H&E stains (paper 002, Sec. III-B1)"

    def table2_ks(self) -> list[int]:
        """k of the main model and of Table II, each trained once."""
        return sorted({self.categories, *self.table2_k})
