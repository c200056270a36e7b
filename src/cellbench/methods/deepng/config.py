"""Configuration of deepng (paper 000): the section ``methods.deepng``, paper values as defaults.

One class holds every key; the JSON schema and ``config/README.md`` are generated from it. Each
rule of ``workflow/rules/deepng.smk`` passes only the sections its job reads (:data:`JOB_KEYS`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from cellbench.methods.contract import MethodConfig, Section

Group = Literal["CT1", "CT2", "CT3", "CT4", "CT5", "CT6", "CT7"]
"""The DSB 2018 cell-type groups of paper 000 (Section II-A)."""
UNIQUE = {"uniqueItems": True}


class SegmentationConfig(Section):
    """Segmentation training (Section II-C: 50 epochs, LAMB lr 1e-3, betas 0.9/0.999, batch 8, 256² crops)."""

    epochs: int = Field(50, ge=1, le=10000, description="Training epochs (paper 50).")
    steps_per_epoch: int = Field(
        0,
        ge=0,
        le=1000000,
        description="Optimizer steps per epoch; 0 = one pass over the known training images.",
    )
    batch_size: int = Field(8, ge=1, le=1024, description="Images per batch (paper 8).")
    crop: int = Field(
        256,
        ge=32,
        le=4096,
        multiple_of=32,
        description="Side of the random training crops in pixels (paper 256).",
    )
    lr: float = Field(1e-3, gt=0, le=10, description="LAMB learning rate (paper 0.001).")
    beta1: float = Field(0.9, ge=0, lt=1, description="LAMB first-moment decay (paper 0.9).")
    beta2: float = Field(0.999, ge=0, lt=1, description="LAMB second-moment decay (paper 0.999).")
    weight_decay: float = Field(
        0.0, ge=0, le=1, description="LAMB decoupled weight decay (paper none, 0)."
    )
    border_width: int = Field(
        1, ge=1, le=10, description="Width in pixels of the cell-border class ring."
    )
    bn_recalibration: int = Field(
        0,
        ge=0,
        le=100000,
        description="Batches used to re-estimate the BatchNorm statistics after training (0 = off, "
        "paper); needed when training for only a few steps.",
    )


class AugmentConfig(Section):
    """Augmentation probabilities (Section II-C: each p = 0.5, scaling ×[0.5, 2] with p = 0.25)."""

    p_channel_swap: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Probability of a random colour-channel permutation (paper 0.5).",
    )
    p_invert: float = Field(
        0.5, ge=0, le=1, description="Probability of colour inversion (paper 0.5)."
    )
    p_rotate: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Probability of a rotation by a multiple of 90 degrees (paper 0.5).",
    )
    p_flip: float = Field(
        0.5, ge=0, le=1, description="Probability of a vertical and/or horizontal flip (paper 0.5)."
    )
    p_scale: float = Field(
        0.25, ge=0, le=1, description="Probability of random scaling (paper 0.25)."
    )
    scale_min: float = Field(0.5, gt=0, le=10, description="Smallest scaling factor (paper 0.5).")
    scale_max: float = Field(2.0, gt=0, le=10, description="Largest scaling factor (paper 2).")

    @model_validator(mode="after")
    def _check(self) -> AugmentConfig:
        if self.scale_min > self.scale_max:
            raise ValueError("augment.scale_min must not exceed augment.scale_max")
        return self


class FeatureConfig(Section):
    """Latent features for clustering (Section II-C: 5000 augmented 256² draws, GAP to 2048-D, PCA to 32-D)."""

    draws: int = Field(
        5000,
        ge=2,
        le=1000000,
        description="Augmented images drawn from the unlabelled set (paper 5000).",
    )
    size: int = Field(
        256,
        ge=32,
        le=4096,
        multiple_of=32,
        description="Side of each drawn image in pixels (paper 256).",
    )
    pca_dim: int = Field(
        32, ge=1, le=2048, description="PCA dimension of the pooled 2048-D features (paper 32)."
    )
    batch_size: int = Field(
        16, ge=1, le=4096, description="Images per encoder forward pass (no effect on results)."
    )


class GNGConfig(Section):
    """Growing neural gas (Section II-D; NeuPy semantics, winner 0.1 / neighbours 0.001, see docs/deviations.md)."""

    eps_winner: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Learning rate of the nearest unit (0.1; paper text swaps the names).",
    )
    eps_neighbour: float = Field(
        0.001, ge=0, le=1, description="Learning rate of the winner's neighbours (0.001)."
    )
    max_edge_age: int = Field(50, ge=0, le=100000, description="Maximal edge age (paper 50).")
    insert_every: int = Field(
        100, ge=1, le=10000000, description="Steps lambda between unit insertions (paper 100)."
    )
    split_error_decay: float = Field(
        0.5, ge=0, le=1, description="Error decay of the split units (paper 0.5)."
    )
    error_decay: float = Field(
        0.995, ge=0, le=1, description="Global error decay per step (paper 0.995)."
    )
    min_distance: float = Field(
        0.2, ge=0, description="Points closer than this to their winner are skipped (paper 0.2)."
    )
    max_units: int = Field(
        1000, ge=2, le=100000, description="Capacity (maximal number of units; NeuPy default 1000)."
    )


class ClusterConfig(Section):
    """Clustering hyperparameters (Section II-D, eqs. 1-7: T = 200, ε0 = 0.1, εfin = 1e-4, R0 = 2k, Rfin = 0.001)."""

    epochs: int = Field(200, ge=1, le=100000, description="Epochs T over the features (paper 200).")
    eps0: float = Field(0.1, gt=0, le=1, description="Initial learning rate of kMC/NG (paper 0.1).")
    eps_fin: float = Field(
        1e-4, gt=0, le=1, description="Final learning rate of kMC/NG (paper 0.0001)."
    )
    r_fin: float = Field(
        0.001, gt=0, le=1000, description="Final neighbourhood range of NG (paper 0.001; R0 = 2k)."
    )
    kmc_radius: float = Field(
        0.001,
        gt=0,
        le=1,
        description="Constant neighbourhood range of kMC (paper R0 = Rfin = 0.001).",
    )
    precision: Literal["float64", "float32"] = Field(
        "float32",
        description="Floating-point precision of kMC/NG (paper silent; default float32, like the "
        "network features: about 1.5× faster than float64).",
    )
    gng: GNGConfig = Field(GNGConfig(), description=" ".join((GNGConfig.__doc__ or "").split()))


class RetrainConfig(Section):
    """Pseudo-label retraining of the encoder (Section II-C: 20 epochs, 128² crops, SGD lr 0.01 momentum 0.5, lr ×0.1 every 10 epochs)."""

    epochs: int = Field(20, ge=1, le=10000, description="Training epochs (paper 20).")
    steps_per_epoch: int = Field(
        0, ge=0, le=1000000, description="SGD steps per epoch; 0 = one pass over the draws."
    )
    batch_size: int = Field(8, ge=1, le=4096, description="Crops per batch (paper unspecified; 8).")
    crop: int = Field(
        128,
        ge=32,
        le=4096,
        multiple_of=32,
        description="Side of the random crops of the drawn images (paper 128).",
    )
    lr: float = Field(0.01, gt=0, le=10, description="SGD learning rate (paper 0.01).")
    momentum: float = Field(0.5, ge=0, lt=1, description="SGD momentum (paper 0.5).")
    lr_step: int = Field(
        10,
        ge=1,
        le=10000,
        description="Epochs between learning-rate reductions (paper 10).",
    )
    lr_gamma: float = Field(
        0.1, gt=0, le=1, description="Learning-rate factor at each reduction (paper 0.1)."
    )
    batchnorm: Literal["update", "frozen"] = Field(
        "update",
        description="BatchNorm running statistics during encoder retraining: updated by the "
        "pseudo-label batches (paper silent) or frozen at the baseline's values, which the reused "
        "decoder was trained with (affine weights still train).",
    )


class PostprocessConfig(Section):
    """Watershed post-processing thresholds (Section II-C: 0.8 / 0.2 / 0.3 / 0.6)."""

    seed_threshold: float = Field(
        0.8, ge=0, le=1, description="Seeds where P(cell) exceeds this (paper 0.8)."
    )
    background_threshold: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Background marker where the cell likelihood is below this (paper 0.2).",
    )
    height_threshold: float = Field(
        0.3, ge=0, le=1, description="Binarisation threshold of the height map (paper 0.3)."
    )
    min_mean_probability: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Instances with a lower mean cell likelihood are removed (paper 0.6).",
    )
    fit: bool = Field(
        False,
        description="Choose the seed and background/height thresholds by DSB AP on the labelled "
        "known-group training images after training (grid around the paper's values, stored "
        "with the model; paper: fixed values). For short CPU schedules, whose probability maps "
        "are blurrier than the paper's.",
    )


def _doc(cls: type) -> str:
    return " ".join((cls.__doc__ or "").split())


GROUPED_DATASETS = ("synth-dsb", "dsb2018")
"""Datasets whose images carry the groups CT1..CT7 (real DSB 2018 and its synthetic stand-in)."""


class DeepNGConfig(MethodConfig):
    """deepng (Grüning & Madany Mamlouk, Deep Neural-Gas Clustering for Instance Segmentation
    across Imaging Experiments): ResNet-50 U-Net trained on the known cell type, neural-gas deep
    clustering of the unlabelled cell types in its latent space and pseudo-label retraining of
    the encoder. Keys left out take the paper's values."""

    algorithms: list[Literal["kmc", "ng", "gng"]] = Field(
        ["kmc", "ng", "gng"],
        min_length=1,
        description="Clustering algorithms run for pseudo-labels (online k-means, neural gas, growing neural gas).",
        json_schema_extra=UNIQUE,
    )
    k: list[Annotated[int, Field(ge=2, le=100000)]] = Field(
        [5, 50, 100, 500, 1000],
        min_length=1,
        description="Numbers of centroids for kMC and NG (paper 5, 50, 100, 500, 1000).",
        json_schema_extra=UNIQUE,
    )
    gng_start: list[Annotated[int, Field(ge=2, le=100000)]] = Field(
        [5],
        min_length=1,
        description="Initial numbers of GNG units (paper 5); the run name carries it as k.",
        json_schema_extra=UNIQUE,
    )
    seeds: list[Annotated[int, Field(ge=0)]] = Field(
        list(range(48)),
        min_length=1,
        description="Seeds of the clustering runs (initial centroids, data order) and of their "
        "retraining (paper 48 seeds: 0..47).",
        json_schema_extra=UNIQUE,
    )
    baseline_seed: int = Field(
        0, ge=0, description="Seed of the baseline segmentation network and of the feature draws."
    )
    encoder: Literal["resnet50", "resnet34", "resnet18"] = Field(
        "resnet50",
        description="Encoder of the U-Net: resnet50 = paper; resnet18/34 are lighter CPU-scale "
        "options (512-D latent space).",
    )
    normalization: Literal["dtype", "percentile"] = Field(
        "percentile",
        description="Image intensities to [0, 1]: divided by the dtype maximum, or per-image "
        "1st/99.8th percentiles (paper silent).",
    )
    known_groups: list[Group] = Field(
        ["CT1"],
        min_length=1,
        max_length=6,
        description="Groups whose labelled training images train the segmentation network "
        '("known", paper CT1); all other groups of CT1..CT7 are the unlabelled clustering set.',
        json_schema_extra=UNIQUE,
    )
    segmentation: SegmentationConfig = Field(
        SegmentationConfig(), description=_doc(SegmentationConfig)
    )
    augment: AugmentConfig = Field(AugmentConfig(), description=_doc(AugmentConfig))
    features: FeatureConfig = Field(FeatureConfig(), description=_doc(FeatureConfig))
    clustering: ClusterConfig = Field(ClusterConfig(), description=_doc(ClusterConfig))
    retraining: RetrainConfig = Field(RetrainConfig(), description=_doc(RetrainConfig))
    postprocess: PostprocessConfig = Field(PostprocessConfig(), description=_doc(PostprocessConfig))

    def not_applicable(self, dataset: str) -> str | None:
        if dataset in GROUPED_DATASETS:
            return None
        return "needs the DSB 2018 cell-type groups CT1-CT7 (paper 000, Sec. II-A)"


JOB_KEYS = {
    "train_segmentation": (
        "scale",
        "encoder",
        "normalization",
        "known_groups",
        "segmentation",
        "augment",
        "postprocess",
    ),
    "features": ("scale", "encoder", "normalization", "known_groups", "features", "augment"),
    "cluster": ("clustering",),
    "retrain": (
        "scale",
        "encoder",
        "normalization",
        "known_groups",
        "features",
        "augment",
        "retraining",
        "postprocess",
    ),
}
"""The keys each deepng job reads (its rule's params). The postprocess thresholds are stored
with every model, so that ``load(model)`` segments as configured."""
