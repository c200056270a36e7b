"""Typed configuration of cellulus (paper 001), defaults = the paper's values (Appendix A, §3–4).

Every field is validated on construction (:meth:`CellulusConfig.__post_init__`); the Snakemake
config section ``methods.cellulus`` maps onto it through :func:`config_from_mapping`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

LossVariant = Literal["paper", "code"]
ForegroundThreshold = Literal["otsu", "log_otsu"]


@dataclass(frozen=True)
class CellulusConfig:
    """All hyper-parameters of training and inference (paper defaults)."""

    num_fmaps: int = 64
    """Feature maps of the first U-Net block (Appendix A: 64). Bounds 1–512."""
    fmap_inc_factor: int = 3
    """Factor on the feature maps after each block (Appendix A: 3). Bounds 1–8."""
    tau: float = 10.0
    """Temperature τ of σ(δ) in eq. 5 (Appendix A: 10). Must be > 0."""
    kappa: float = 10.0
    """Radius κ of the partner disk, 0 < ‖o‖ < κ (Appendix A: 10 px). Bounds 1.5–64."""
    anchor_fraction: float = 0.1
    """Fraction of valid output pixels drawn as anchors P1 (Appendix A: 10%). Bounds (0, 1]."""
    partners_per_anchor: int = 31
    """Partners P2 drawn per anchor (paper: P1 × P2, count not given; code: round(0.1·π·κ²) = 31).
    Bounds 1–1024."""
    reg_lambda: float = 1e-5
    """Weight λ_reg of the embedding-norm regulariser of eq. 5 (Appendix A: 1e-5). ≥ 0."""
    loss_variant: LossVariant = "paper"
    """``paper``: eq. 5 (σ = logistic, mean over pairs, ‖r(i)‖); ``code``: funkelab/cellulus
    (1 − exp, summed over pairs, partner detached, ‖e(i)‖ of the absolute embedding)."""
    learning_rate: float = 4e-5
    """Adam learning rate (Appendix A: 4e-5). Bounds (0, 1]."""
    batch_size: int = 8
    """Crops per mini-batch (Appendix A: 8). Bounds 1–256."""
    crop_size: int = 252
    """Side of the square training crops (Appendix A: 252); crop_size − 4 must be even, ≥ 36."""
    epochs: int = 50
    """Training epochs (Appendix A: 50). Bounds 1–10000."""
    iterations_per_epoch: int = 100
    """Mini-batches per epoch (the paper is silent; see docs/deviations.md). Bounds 1–100000."""
    lr_milestones: tuple[int, ...] = (20, 30)
    """Epochs after which the learning rate is divided by 10 (Appendix A: 20, 30)."""
    lr_gamma: float = 0.1
    """Learning-rate factor at each milestone (Appendix A: ÷10). Bounds (0, 1]."""
    percentile_low: float = 1.0
    """Intensity percentile mapped to 0 (§4.1: 1). Bounds [0, 100)."""
    percentile_high: float = 99.8
    """Intensity percentile mapped to 1 (§4.1: 99.8). Bounds (low, 100]."""
    num_passes: int = 32
    """Noisy inference passes (§3.2 / code: 32, half at each noise value). Even, 2–256."""
    noise_fraction: float = 0.01
    """Fraction of pixels set to a salt-and-pepper value per pass (code: 1%). Bounds [0, 0.5]."""
    noise_values: tuple[float, ...] = (0.5, 1.0)
    """Values written into the noisy pixels, one per half of the passes (code: 0.5 and 1.0)."""
    foreground_threshold: ForegroundThreshold = "otsu"
    """otsu: foreground = std < Otsu(std) (§3.2, code); log_otsu: the Otsu threshold of log(std),
    robust to the heavy-tailed background std of briefly trained networks (deviation)."""
    std_smoothing: float = 0.0
    """σ in px of a Gaussian applied to the std map before its threshold (paper: none, 0). The
    std of a few noisy passes is itself noisy per pixel; smoothing it removes the speckle that
    mean-shift otherwise turns into fragments (deviation, CPU presets). Bounds 0–16."""
    meanshift_fraction: float = 0.1
    """Fraction of foreground embeddings mean-shift is fitted on (code: 10%). Bounds (0, 1]."""
    meanshift_max_points: int = 5000
    """Cap on the points mean-shift is fitted on (the rest is assigned to the modes), so that a
    foreground covering most of a large image never makes the fit unbounded. Bounds 100–10⁶."""
    max_foreground_fraction: float = 0.5
    """A foreground above this fraction of the image is flagged (logged as a warning and recorded
    with the predictions): the std cue failed. Bounds (0, 1]."""
    min_loss_decrease: float = 0.01
    """A training loss whose last-epoch mean is not at least this fraction below the first
    epoch's is flagged (warning, recorded in the checkpoint): the network did not learn. ≥ 0."""
    bandwidth: float = 7.5
    """Mean-shift bandwidth in px when no selection was run (code: 0.5 × object diameter)."""
    shrink: int = 0
    """Halo shrink distance in px when no selection was run (§3.2, App. D: 0–6). Bounds 0–32."""
    min_size_fraction: float = 0.1
    """Objects smaller than this fraction of a disk of diameter 2 × bandwidth are dropped."""
    tile_size: int = 256
    """Output tile side of tiled prediction (memory bound, not a paper value). Bounds 32–4096."""

    def __post_init__(self) -> None:
        checks = {
            "num_fmaps": 1 <= self.num_fmaps <= 512,
            "fmap_inc_factor": 1 <= self.fmap_inc_factor <= 8,
            "tau": self.tau > 0,
            "kappa": 1.5 <= self.kappa <= 64,
            "anchor_fraction": 0 < self.anchor_fraction <= 1,
            "partners_per_anchor": 1 <= self.partners_per_anchor <= 1024,
            "reg_lambda": self.reg_lambda >= 0,
            "loss_variant": self.loss_variant in ("paper", "code"),
            "learning_rate": 0 < self.learning_rate <= 1,
            "batch_size": 1 <= self.batch_size <= 256,
            "crop_size": self.crop_size >= 36 and (self.crop_size - 4) % 2 == 0,
            "epochs": 1 <= self.epochs <= 10000,
            "iterations_per_epoch": 1 <= self.iterations_per_epoch <= 100000,
            "lr_milestones": all(m >= 1 for m in self.lr_milestones),
            "lr_gamma": 0 < self.lr_gamma <= 1,
            "percentile_low": 0 <= self.percentile_low < self.percentile_high <= 100,
            "num_passes": 2 <= self.num_passes <= 256
            and self.num_passes % len(self.noise_values) == 0,
            "noise_fraction": 0 <= self.noise_fraction <= 0.5,
            "noise_values": len(self.noise_values) >= 1,
            "foreground_threshold": self.foreground_threshold in ("otsu", "log_otsu"),
            "std_smoothing": 0 <= self.std_smoothing <= 16,
            "meanshift_fraction": 0 < self.meanshift_fraction <= 1,
            "meanshift_max_points": 100 <= self.meanshift_max_points <= 1_000_000,
            "max_foreground_fraction": 0 < self.max_foreground_fraction <= 1,
            "min_loss_decrease": self.min_loss_decrease >= 0,
            "bandwidth": self.bandwidth > 0,
            "shrink": 0 <= self.shrink <= 32,
            "min_size_fraction": self.min_size_fraction >= 0,
            "tile_size": 32 <= self.tile_size <= 4096,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid cellulus config value(s): {', '.join(bad)} ({self})")
        # The crop loses 16 px; κ must leave room for anchors at least κ from the border.
        if self.crop_size - 16 <= 2 * self.kappa:
            raise ValueError(f"crop_size {self.crop_size} too small for kappa {self.kappa}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lr_milestones"] = list(self.lr_milestones)
        data["noise_values"] = list(self.noise_values)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellulusConfig:
        return config_from_mapping(data)


def config_from_mapping(data: dict[str, Any]) -> CellulusConfig:
    """Build a config from a mapping, ignoring keys that are not config fields."""
    names = {f.name for f in fields(CellulusConfig)}
    values = {k: v for k, v in data.items() if k in names}
    for key in ("lr_milestones", "noise_values"):
        if key in values:
            values[key] = tuple(values[key])
    return CellulusConfig(**values)
