"""Typed configuration of deepng with the values of paper 000 as defaults.

The Snakemake config section ``methods.deepng`` (schema:
``workflow/schemas/parts/methods.deepng.schema.yaml``) holds the same keys; workflow-only keys
(datasets, algorithms, k, seeds, ...) are ignored here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal


@dataclass(frozen=True)
class SegmentationConfig:
    """Section II-C: 50 epochs, LAMB lr 1e-3, betas 0.9/0.999, batch 8, 256² crops."""

    epochs: int = 50
    steps_per_epoch: int = 0  # 0: one pass over the labelled (CT1) training images per epoch
    batch_size: int = 8
    crop: int = 256
    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    weight_decay: float = 0.0
    border_width: int = 1
    bn_recalibration: int = 0  # batches to re-estimate BatchNorm statistics after training (0: off)


@dataclass(frozen=True)
class AugmentConfig:
    """Section II-C augmentations; each with p = 0.5, scaling ×[0.5, 2] with p = 0.25."""

    p_channel_swap: float = 0.5
    p_invert: float = 0.5
    p_rotate: float = 0.5
    p_flip: float = 0.5
    p_scale: float = 0.25
    scale_min: float = 0.5
    scale_max: float = 2.0


@dataclass(frozen=True)
class FeatureConfig:
    """Section II-C: 5000 augmented 256² draws from CT2–CT7, GAP to 2048-D, PCA to 32-D."""

    draws: int = 5000
    size: int = 256
    pca_dim: int = 32
    batch_size: int = 16


@dataclass(frozen=True)
class GNGConfig:
    """Section II-D GNG values (winner 0.1 / neighbours 0.001, see docs/deviations.md)."""

    eps_winner: float = 0.1
    eps_neighbour: float = 0.001
    max_edge_age: int = 50
    insert_every: int = 100
    split_error_decay: float = 0.5
    error_decay: float = 0.995
    min_distance: float = 0.2
    max_units: int = 1000


@dataclass(frozen=True)
class ClusterConfig:
    """Section II-D: T = 200, ε0 = 0.1, εfin = 1e-4, R0 = 2k, Rfin = 0.001 (kMC: R = 0.001)."""

    epochs: int = 200
    eps0: float = 0.1
    eps_fin: float = 1e-4
    r_fin: float = 0.001
    kmc_radius: float = 0.001
    # Paper silent. The features are float32 network outputs; float32 NG is ≈1.5× faster.
    precision: Literal["float64", "float32"] = "float32"
    gng: GNGConfig = field(default_factory=GNGConfig)


@dataclass(frozen=True)
class RetrainConfig:
    """Section II-C: 20 epochs, 128² crops, SGD lr 0.01 momentum 0.5, lr ×0.1 every 10 epochs."""

    epochs: int = 20
    steps_per_epoch: int = 0  # 0: one pass over the draws per epoch
    batch_size: int = 8
    crop: int = 128
    lr: float = 0.01
    momentum: float = 0.5
    lr_step: int = 10
    lr_gamma: float = 0.1
    # Paper silent. update: BatchNorm running statistics follow the pseudo-label batches (train
    # mode); frozen: they keep the values the decoder was trained with (affine weights still train).
    batchnorm: Literal["update", "frozen"] = "update"


@dataclass(frozen=True)
class PostprocessConfig:
    """Section II-C watershed thresholds 0.8 / 0.2 / 0.3 / 0.6."""

    seed_threshold: float = 0.8
    background_threshold: float = 0.2
    height_threshold: float = 0.3
    min_mean_probability: float = 0.6


@dataclass(frozen=True)
class DeepNGConfig:
    """All hyperparameters of deepng; ``scale`` resizes images before training and inference.

    ``encoder``: the paper's ResNet-50, or ResNet-18/34 as lighter CPU-scale options.
    ``normalization``: image intensities to [0, 1] by dtype maximum or per-image percentiles
    (cellbench.methods.deepng.images; the paper is silent).
    """

    scale: float = 1.0
    encoder: Literal["resnet50", "resnet34", "resnet18"] = "resnet50"
    normalization: Literal["dtype", "percentile"] = "percentile"
    known_groups: tuple[str, ...] = ("CT1",)
    segmentation: SegmentationConfig = field(default_factory=SegmentationConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    features: FeatureConfig = field(default_factory=FeatureConfig)
    clustering: ClusterConfig = field(default_factory=ClusterConfig)
    retraining: RetrainConfig = field(default_factory=RetrainConfig)
    postprocess: PostprocessConfig = field(default_factory=PostprocessConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DeepNGConfig:
        """Build from a (partial) mapping; unknown top-level keys (workflow keys) are ignored."""
        return _build(cls, data or {}, strict=False)


def _build(cls: type, data: dict[str, Any], strict: bool) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if strict and unknown:
        raise ValueError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            continue
        default = getattr(cls(), name)
        if hasattr(default, "__dataclass_fields__"):
            kwargs[name] = _build(type(default), dict(value), strict=True)
        elif isinstance(default, tuple):
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    return cls(**kwargs)
