"""Configuration of cellulus (paper 001): the section ``methods.cellulus``, paper values as defaults.

One class holds every key (training, inference, selection, Table 2 sweep, Fig. 5, pretrained
baselines); the JSON schema and ``config/README.md`` are generated from it. The key groups
:data:`TRAIN_KEYS`, :data:`INFERENCE_KEYS` and :data:`SELECT_KEYS` are what each rule passes to
its job, so that an inference-only change never retrains a network.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator

from cellbench.methods.contract import DatasetName, MethodConfig, Section

LossVariant = Literal["paper", "code"]
ForegroundThreshold = Literal["otsu", "log_otsu"]
PretrainedTool = Literal["stardist", "cellpose"]
PRETRAINED_TOOLS: tuple[str, ...] = get_args(PretrainedTool)

UNIQUE = {"uniqueItems": True}


def _milestones_within(milestones: list[int], epochs: int, where: str) -> None:
    late = [m for m in milestones if m > epochs]
    if late:
        raise ValueError(f"{where}lr_milestones {late} lie beyond epochs ({epochs})")


class ScaleSweepConfig(Section):
    """Table 2: scale factors relative to the dataset's own scale, scored against GT at scale 1."""

    datasets: list[DatasetName] = Field(
        [], description="Datasets of the sweep (empty = no Table 2).", json_schema_extra=UNIQUE
    )
    scales: list[Annotated[float, Field(ge=0.1, le=4)]] = Field(
        [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5],
        description="Scale factors (paper 0.5, 0.6, …, 1.5).",
        json_schema_extra=UNIQUE,
    )
    retrain: bool = Field(
        True,
        description="Train one network per scale (paper) instead of applying the seed network "
        "to rescaled images.",
    )
    seed: int = Field(0, ge=0, description="Seed of the sweep runs.")


class PretrainedConfig(Section):
    """Optional pretrained baselines of Table 1 (they need envs/pretrained.yaml and download the
    published weights)."""

    tools: list[PretrainedTool] = Field(
        [],
        description="Pretrained tools to run on every cellulus dataset (default none).",
        json_schema_extra=UNIQUE,
    )
    stardist_model: str = Field(
        "2D_versatile_fluo", min_length=1, description="StarDist pretrained model."
    )
    cellpose_model: str = Field(
        "cpsam",
        min_length=1,
        description="Cellpose pretrained model (cyto2/nuclei need Cellpose 3).",
    )
    cellpose_diameter: float = Field(
        0.0, ge=0, description="Object diameter in pixels for Cellpose; 0 = its own estimate."
    )


class Fig5Config(Section):
    """Fig. 5 supported supervision (StarDist-style network on sparse GT vs sparse GT + cellulus
    pseudo labels); defaults = Appendix B / §4.2."""

    dataset: DatasetName | Literal[""] = Field(
        "",
        description="Dataset of the experiment (must be in datasets; its seed run provides the "
        "pseudo labels); empty = no Fig. 5.",
    )
    seed: int = Field(
        0, ge=0, description="Seed of the cellulus run used and base seed of the repeats."
    )
    fractions: list[Annotated[float, Field(gt=0, le=1)]] = Field(
        [0.01, 0.05, 0.1, 0.5, 1.0],
        min_length=1,
        description="Annotation fractions of the training objects (paper 0.01, 0.05, 0.1, 0.5, 1.0).",
        json_schema_extra=UNIQUE,
    )
    repeats: int = Field(
        3, ge=1, le=100, description="Repeats per fraction with new annotation samples (paper 3)."
    )
    alphas: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        [0.0, 0.5],
        min_length=1,
        description="Weights α of the pseudo loss (paper 0 and 0.5).",
        json_schema_extra=UNIQUE,
    )
    n_rays: int = Field(32, ge=3, le=128, description="Star-convex rays (StarDist default 32).")
    num_fmaps: int = Field(
        64, ge=1, le=512, description="Feature maps of the first block (paper 64)."
    )
    fmap_inc_factor: int = Field(
        3, ge=1, le=8, description="Feature-map factor per block (paper 3)."
    )
    depth: int = Field(3, ge=1, le=4, description="U-Net depth (paper 3).")
    learning_rate: float = Field(1e-5, gt=0, le=1, description="Adam learning rate (paper 1e-5).")
    epochs: int = Field(200, ge=1, le=10000, description="Epochs (paper 200).")
    iterations_per_epoch: int = Field(
        100, ge=1, le=100000, description="Batches per epoch (not in the paper)."
    )
    lr_milestones: list[Annotated[int, Field(ge=1)]] = Field(
        [30, 80, 160],
        description="Epochs after which the learning rate is divided by 10 (paper 30, 80, 160).",
    )
    batch_size: int = Field(
        8, ge=2, le=256, description="Crops per batch, half sparse / half pseudo (paper 8)."
    )
    crop_size: int = Field(
        252,
        ge=16,
        le=2048,
        description="Side in px of the training crops' loss area (paper 252); the network gets "
        "the image around it as context (valid convolutions).",
    )
    background_radius: float = Field(
        30.0,
        ge=0,
        le=1000,
        description="GT background within this distance of an annotated object counts as annotated (paper 30).",
    )
    dist_weight: float = Field(
        0.2,
        ge=0,
        le=100,
        description="Weight of the ray-distance term of the StarDist loss (StarDist 0.2).",
    )
    threads: int = Field(
        0,
        ge=0,
        le=1024,
        description="Threads of the Fig. 5 job (its cellulus pseudo-labels, training and "
        "applying its networks; at most the job's); 0 = all the job's threads.",
    )
    batch_norm: bool = Field(
        False,
        description="BatchNorm after each convolution of the network (not in the paper, which "
        "has none).",
    )
    init_distances: bool = Field(
        True,
        description="Start the distance outputs at the mean annotated ray distance instead of 0 "
        "(the paper is silent on initialisation).",
    )
    optimize_threshold: bool = Field(
        True,
        description="Choose the probability threshold after training by F1@0.5 on annotated "
        "training images (StarDist's threshold optimisation); false = prob_threshold.",
    )
    threshold_images: int = Field(
        4,
        ge=1,
        le=1000,
        description="Training images (those with the most annotated objects) used to choose "
        "the threshold.",
    )
    prob_threshold: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="Object-probability threshold of decoding candidates when it is not "
        "optimised (StarDist default 0.5).",
    )
    nms_overlap: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Drop a candidate polygon when more than this fraction of it is already claimed.",
    )

    @model_validator(mode="after")
    def _check(self) -> Fig5Config:
        _milestones_within(self.lr_milestones, self.epochs, "fig5.")
        return self


class CellulusConfig(MethodConfig):
    """cellulus (Wolf, Lalit et al., Unsupervised Learning of Object-Centric Embeddings for Cell
    Instance Segmentation): self-supervised object-centric embeddings (OCE loss, eq. 5),
    noisy-pass inference, mean-shift clustering; Table 1, Table 2 (scale sweep) and Fig. 5
    (supported supervision). Keys left out take the paper's values (Appendix A, §3–4)."""

    per_dataset = True

    seeds: list[Annotated[int, Field(ge=0)]] = Field(
        [0],
        min_length=1,
        description="Training seeds; one run `seed<N>` per seed and dataset (crops, pairs, noise "
        "and mean-shift derive from it).",
        json_schema_extra=UNIQUE,
    )
    # Training (TRAIN_KEYS).
    num_fmaps: int = Field(
        64, ge=1, le=512, description="Feature maps of the first U-Net block (paper 64)."
    )
    fmap_inc_factor: int = Field(
        3, ge=1, le=8, description="Feature-map factor per block (paper 3)."
    )
    tau: float = Field(
        10.0, gt=0, le=1000, description="Temperature τ of σ(δ) in eq. 5 (paper 10)."
    )
    kappa: float = Field(
        10.0, ge=1.5, le=64, description="Radius κ of the partner disk in px (paper 10)."
    )
    anchor_fraction: float = Field(
        0.1, gt=0, le=1, description="Fraction of output pixels drawn as anchors (paper 0.1)."
    )
    partners_per_anchor: int = Field(
        31, ge=1, le=1024, description="Partners drawn per anchor (code round(0.1·π·κ²) = 31)."
    )
    reg_lambda: float = Field(
        1e-5, ge=0, le=1, description="Weight λ_reg of the embedding regulariser (paper 1e-5)."
    )
    loss_variant: LossVariant = Field(
        "paper",
        description="paper: eq. 5 (logistic σ, mean over pairs, ‖r‖ regulariser); code: "
        "funkelab/cellulus (1 − exp, summed, partner detached, ‖e‖ regulariser).",
    )
    learning_rate: float = Field(4e-5, gt=0, le=1, description="Adam learning rate (paper 4e-5).")
    batch_size: int = Field(8, ge=1, le=256, description="Crops per mini-batch (paper 8).")
    crop_size: int = Field(
        252,
        ge=36,
        le=2048,
        description="Side of the square training crops in px; must be even (crop_size − 4 even; "
        "paper 252).",
    )
    epochs: int = Field(50, ge=1, le=10000, description="Training epochs (paper 50).")
    iterations_per_epoch: int = Field(
        100, ge=1, le=100000, description="Mini-batches per epoch (not given in the paper)."
    )
    lr_milestones: list[Annotated[int, Field(ge=1)]] = Field(
        [20, 30],
        description="Epochs after which the learning rate is multiplied by lr_gamma (paper 20, "
        "30); none beyond epochs.",
    )
    lr_gamma: float = Field(
        0.1, gt=0, le=1, description="Learning-rate factor at each milestone (paper ÷10)."
    )
    min_loss_decrease: float = Field(
        0.01,
        ge=0,
        le=1,
        description="A training loss whose last epoch is not this fraction below its first is "
        "flagged (warning, loss_flat in the checkpoint and the evaluation summary).",
    )
    percentile_low: float = Field(
        1.0, ge=0, lt=100, description="Intensity percentile mapped to 0 (§4.1: 1)."
    )
    percentile_high: float = Field(
        99.8, gt=0, le=100, description="Intensity percentile mapped to 1 (§4.1: 99.8)."
    )
    normalisation: Literal["image", "dataset"] = Field(
        "image",
        description="image: each image by its own percentiles (§4.1); dataset: every image by "
        "the percentiles of the whole training split, stored with the network (a test sequence "
        "whose brightest objects are dimmer keeps its background at the training scale; "
        "docs/deviations.md).",
    )
    # Inference (INFERENCE_KEYS).
    inference_normalisation: Literal["training", "dataset"] = Field(
        "training",
        description="training: test images normalised as the network's training images "
        "(normalisation); dataset: by the training split's percentiles stored with the network, "
        "also after per-image training (a dimmer test sequence is not stretched; "
        "docs/deviations.md).",
    )
    num_passes: int = Field(
        32,
        ge=2,
        le=256,
        description="Salt-and-pepper inference passes, split evenly over noise_values (paper 32).",
    )
    noise_fraction: float = Field(
        0.01,
        ge=0,
        le=0.5,
        description="Fraction of pixels set to the noise value per pass (code 0.01).",
    )
    noise_values: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        [0.5, 1.0],
        min_length=1,
        description="Values written into the noisy pixels, one per share of the passes (code 0.5, 1.0).",
    )
    foreground_threshold: ForegroundThreshold = Field(
        "otsu",
        description="otsu: foreground = std < Otsu(std) (paper §3.2, code); log_otsu: Otsu "
        "threshold of log(std), robust to the heavy-tailed background std of briefly trained "
        "networks (CPU default; docs/deviations.md).",
    )
    std_smoothing: float = Field(
        0.0,
        ge=0,
        le=16,
        description="σ in px of a Gaussian applied to the std map before its threshold (paper: "
        "none, 0); removes the per-pixel speckle of a few noisy passes (docs/deviations.md).",
    )
    meanshift_fraction: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Fraction of foreground embeddings mean-shift is fitted on (code 0.1).",
    )
    meanshift_max_points: int = Field(
        5000,
        ge=100,
        le=1_000_000,
        description="Cap on the points mean-shift is fitted on (the rest is assigned to the "
        "modes), so a foreground covering most of a large image never makes the fit unbounded.",
    )
    max_foreground_fraction: float = Field(
        0.5,
        gt=0,
        le=1,
        description="A std foreground above this fraction of an image is a failed foreground cue: "
        "logged as a warning and counted in the predictions' diagnostics.",
    )
    bandwidth: float = Field(
        7.5,
        gt=0,
        le=256,
        description="Mean-shift bandwidth in px when no selection was run (code: 0.5 × object diameter).",
    )
    shrink: int = Field(
        0,
        ge=0,
        le=32,
        description="Halo shrink distance in px when no selection was run (paper 0–6).",
    )
    min_size_fraction: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Objects smaller than this fraction of a disk of diameter 2 × bandwidth are dropped (code 0.1).",
    )
    tile_size: int = Field(
        256,
        ge=32,
        le=4096,
        description="Output tile side of tiled prediction in px (memory bound only).",
    )
    # Bandwidth/shrink selection (SELECT_KEYS).
    bandwidths: list[Annotated[float, Field(gt=0, le=256)]] = Field(
        [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 14.0, 16.0],
        min_length=1,
        description="Mean-shift bandwidths (px) of the line search on the training split.",
        json_schema_extra=UNIQUE,
    )
    shrinks: list[Annotated[int, Field(ge=0, le=32)]] = Field(
        [0, 1, 2, 3, 4, 5, 6],
        min_length=1,
        description="Halo shrink distances (px) searched on the training split (paper 0–6).",
        json_schema_extra=UNIQUE,
    )
    bandwidth_search_steps: int = Field(
        4,
        ge=0,
        le=64,
        description="While the best bandwidth is the smallest or largest searched, the line "
        "search goes on one outermost grid step beyond it, at most this many times (0: the "
        "grid only); a best still on the edge is logged as a warning.",
    )
    min_size_fractions: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        [],
        description="Size filters (``min_size_fraction`` values) searched after the line search, "
        "at its chosen bandwidth and shrink, by the same metric, ties to the other metric, then "
        "the smaller filter (empty: the code's fixed ``min_size_fraction``; docs/deviations.md).",
        json_schema_extra=UNIQUE,
    )
    select_metric: Literal["seg", "f1"] = Field(
        "seg", description="Training-split metric maximised by the bandwidth/shrink search."
    )
    select_max_images: int = Field(
        8,
        ge=1,
        le=10000,
        description="At most this many (evenly spaced) labelled training images are used by the search.",
    )
    scale_sweep: ScaleSweepConfig = Field(
        ScaleSweepConfig(), description=ScaleSweepConfig.__doc__ or ""
    )
    pretrained: PretrainedConfig = Field(
        PretrainedConfig(), description=" ".join((PretrainedConfig.__doc__ or "").split())
    )
    fig5: Fig5Config = Field(Fig5Config(), description=" ".join((Fig5Config.__doc__ or "").split()))

    @field_validator("crop_size")
    @classmethod
    def _even_crop(cls, crop_size: int) -> int:
        if crop_size % 2:
            raise ValueError(
                f"must be even (the U-Net output of crop_size − 4 halves), got {crop_size}"
            )
        return crop_size

    @model_validator(mode="after")
    def _check(self) -> CellulusConfig:
        # The crop loses 16 px; κ must leave room for anchors at least κ from the border.
        if self.crop_size - 16 <= 2 * self.kappa:
            raise ValueError(f"crop_size {self.crop_size} too small for kappa {self.kappa}")
        _milestones_within(self.lr_milestones, self.epochs, "")
        if self.percentile_low >= self.percentile_high:
            raise ValueError("percentile_low must be below percentile_high")
        if self.num_passes % len(self.noise_values):
            raise ValueError(
                f"num_passes {self.num_passes} must split evenly over noise_values {self.noise_values}"
            )
        if self.datasets and self.fig5.dataset and self.fig5.dataset not in self.datasets:
            raise ValueError(
                f"fig5.dataset {self.fig5.dataset!r} is not in datasets {self.datasets}"
            )
        return self


TRAIN_KEYS = (
    "num_fmaps",
    "fmap_inc_factor",
    "tau",
    "kappa",
    "anchor_fraction",
    "partners_per_anchor",
    "reg_lambda",
    "loss_variant",
    "learning_rate",
    "batch_size",
    "crop_size",
    "epochs",
    "iterations_per_epoch",
    "lr_milestones",
    "lr_gamma",
    "percentile_low",
    "percentile_high",
    "normalisation",
    "min_loss_decrease",
)
"""Keys ``cellulus_train`` reads (and stores in the trained checkpoint)."""

INFERENCE_KEYS = (
    "inference_normalisation",
    "num_passes",
    "noise_fraction",
    "noise_values",
    "foreground_threshold",
    "std_smoothing",
    "meanshift_fraction",
    "meanshift_max_points",
    "max_foreground_fraction",
    "min_size_fraction",
    "tile_size",
)
"""Inference keys ``cellulus_select`` writes into the final checkpoint (no retraining)."""

SELECT_KEYS = (
    "bandwidths",
    "shrinks",
    "bandwidth_search_steps",
    "min_size_fractions",
    "select_metric",
    "select_max_images",
)
"""Keys of the bandwidth/shrink line search and the size-filter search after it."""
