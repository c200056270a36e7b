"""Typed configuration of spoco (paper 004, Wolny et al. CVPR 2022): paper values as defaults.

The section ``methods.spoco`` is :class:`SpocoConfig` (the method contract's one ``MethodConfig``);
keys left out take the paper's CVPPP values (§3, §4.1, Appendix A.1/A.3/A.4 and METHODS.md).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from cellbench.methods.contract import MethodConfig

Clustering = Literal["hdbscan", "meanshift", "consistency", "mws"]
AnchorChoice = Literal["random", "mean"]
Foreground = Literal["none", "gt"]
MODE_PATTERN = re.compile(
    r"^(full|discriminative|sparse@(0?\.\d+|1(\.0+)?)|dense_fraction@(0?\.\d+|1(\.0+)?))$"
)


class SpocoConfig(MethodConfig):
    """spoco (paper 004, Wolny et al. CVPR 2022): pixel embeddings trained from all (SPOCO) or a
    fraction of the objects (SPOCO@p), clustered by HDBSCAN, mean-shift, consistency clustering
    or mutex watershed; Tables 1, 14/15 and 16. Keys left out take the paper's CVPPP values."""

    per_dataset = True

    seeds: list[Annotated[int, Field(ge=0)]] = Field(
        [0],
        min_length=1,
        description="Training seeds (object sampling, init, crops); one run per mode and seed.",
        json_schema_extra={"uniqueItems": True},
    )
    modes: list[str] = Field(
        ["full"],
        description="Training modes: full (SPOCO), sparse@p (SPOCO@p), dense_fraction@q "
        "(all objects of a fraction q of the images), discriminative (loss of [6] only).",
    )
    clusterings: list[Clustering] = Field(
        ["hdbscan"],
        description="Clustering algorithms applied to every trained network (App. A.4).",
    )
    foreground: list[Foreground] = Field(
        ["none"], description="Foreground mask at inference: none (w/o FG) or gt (GT FG rows)."
    )
    # --- network (App. A.1, Fig. 7 / METHODS.md) ---
    depth: int = Field(6, ge=2, le=8, description="U-Net levels (paper CVPPP: 6, 5 max-pools).")
    width: int = Field(
        16,
        ge=2,
        le=128,
        description="Feature maps of the first level (paper 16; doubled per level).",
    )
    embedding_dim: int = Field(16, ge=2, le=64, description="Embedding dimensions (paper 16).")
    # --- losses (Eq. 1-7) ---
    delta_v: float = Field(0.5, gt=0, description="Pull margin δv (paper 0.5).")
    delta_d: float = Field(
        2.0, gt=0, description="Push margin δd; instances pushed to 2δd (paper 2.0)."
    )
    alpha: float = Field(1.0, ge=0, description="Weight of the pull term (paper 1).")
    beta: float = Field(1.0, ge=0, description="Weight of the push term (paper 1).")
    gamma: float = Field(
        0.001, ge=0, description="Weight of the embedding-norm regulariser (paper 0.001)."
    )
    kernel_threshold: float = Field(
        0.5, gt=0, lt=1, description="t = φ(δv) of the soft mask, Eq. 3 (paper 0.5)."
    )
    instance_weight: float = Field(
        1.0, ge=0, description="Weight of the instance Dice term, Eq. 5 (paper 1)."
    )
    unlabeled_push_weight: float = Field(
        1.0, ge=0, description="Weight of the unlabeled push, Eq. 6 (paper 1)."
    )
    consistency_weight: float = Field(
        1.0, ge=0, description="Weight of the consistency term, Eq. 7 (paper 1)."
    )
    anchor: AnchorChoice = Field(
        "random",
        description="Anchor of the instance selection: random (a random instance pixel, paper) "
        "or mean (the instance's mean embedding, authors' current code).",
    )
    max_anchors: int = Field(
        20, ge=1, le=1000, description="Consistency anchors per image at most (code 20)."
    )
    unlabeled_stop: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="Stop drawing anchors below this unlabeled patch fraction (code 5%).",
    )
    momentum: float = Field(
        0.999, ge=0, lt=1, description="EMA momentum m of the g network (paper 0.999)."
    )
    # --- training (App. A.1, METHODS.md) ---
    crop_size: int = Field(
        448, ge=32, le=2048, description="Side of the random resized crops (paper 448)."
    )
    crop_scale: tuple[float, float] = Field(
        (0.7, 1.0), description="Area range of the random resized crop (paper 0.7-1)."
    )
    batch_size: int = Field(4, ge=1, le=64, description="Images per mini-batch (paper CVPPP 4).")
    learning_rate: float = Field(2e-4, gt=0, le=1, description="Adam learning rate (paper 2e-4).")
    weight_decay: float = Field(1e-5, ge=0, description="Adam weight decay (paper 1e-5).")
    lr_factor: float = Field(
        0.2, gt=0, lt=1, description="LR factor on a validation plateau (paper 0.2)."
    )
    patience: int = Field(
        10, ge=1, description="Checks without improvement before the LR drops (paper 10)."
    )
    check_every: int = Field(
        512, ge=1, description="Iterations between validation checks (paper 512)."
    )
    min_lr: float = Field(
        1e-6, gt=0, description="Training stops when the LR falls below this (paper 1e-6)."
    )
    iterations: int = Field(80000, ge=1, description="Iteration cap (paper 80k).")
    # --- clustering (App. A.4) ---
    min_cluster_size: int = Field(200, ge=2, description="HDBSCAN min_cluster_size (paper 200).")
    min_size: int = Field(
        0,
        ge=0,
        description="Mutex-watershed segments smaller than this become background (paper silent: 0).",
    )
    consistency_anchors: int = Field(
        100, ge=1, description="Anchors per cluster in consistency clustering (paper 100)."
    )
    consistency_iou: float = Field(
        0.6, ge=0, le=1, description="Median IoU a cluster must reach in g (paper 0.6)."
    )
    mws_offsets: list[int] = Field(
        [3, 9, 27], description="Long-range offsets of the mutex watershed in px (paper 3, 9, 27)."
    )
    max_pixels: int = Field(
        0,
        ge=0,
        description="HDBSCAN / mean-shift fitted on at most this many random pixels, the rest "
        "labelled as their nearest fitted pixel; HDBSCAN's min cluster size shrinks with the "
        "sampled fraction (0: all pixels, paper).",
    )

    @field_validator("modes")
    @classmethod
    def _modes(cls, modes: list[str]) -> list[str]:
        for mode in modes:
            if not MODE_PATTERN.match(mode):
                raise ValueError(
                    f"unknown spoco mode {mode!r} (full, discriminative, sparse@p, dense_fraction@q)"
                )
        return modes

    @model_validator(mode="after")
    def _cross(self) -> SpocoConfig:
        if not 0 < self.crop_scale[0] <= self.crop_scale[1] <= 1:
            raise ValueError(f"crop_scale must satisfy 0 < low <= high <= 1, got {self.crop_scale}")
        if self.crop_size % 2 ** (self.depth - 1):
            raise ValueError(
                f"crop_size {self.crop_size} must be divisible by 2**(depth-1) = {2 ** (self.depth - 1)}"
            )
        return self


def parse_mode(mode: str) -> tuple[str, float]:
    """(kind, fraction) of a training mode: ``sparse@0.1`` → (``sparse``, 0.1); full → (``full``, 1)."""
    if not MODE_PATTERN.match(mode):
        raise ValueError(f"unknown spoco mode {mode!r}")
    if "@" in mode:
        kind, fraction = mode.split("@")
        return kind, float(fraction)
    return mode, 1.0


def run_name(mode: str, seed: int) -> str:
    """Run directory name of one trained network: ``sparse@0.1`` seed 0 → ``sparse0.1_s0``."""
    return f"{mode.replace('@', '')}_s{seed}"


def parse_run(run: str) -> tuple[str, int]:
    """Inverse of :func:`run_name`: (mode, seed)."""
    match = re.match(r"^(full|discriminative|sparse|dense_fraction)([0-9.]*)_s(\d+)$", run)
    if not match:
        raise ValueError(f"not a spoco run name: {run!r}")
    kind, fraction, seed = match.groups()
    return (f"{kind}@{fraction}" if fraction else kind), int(seed)
