"""The confidence network f_θ (paper §2.2, Fig. 2; architecture of the authors' code).

3×3 conv (no bias) in→w, BatchNorm, ELU; residual blocks of two [3×3 dilated conv (no bias),
BatchNorm, ELU] with dilation = padding and an identity skip; 1×1 conv w→K with bias; sigmoid.
For RGB input, w = 8, K = 4 and dilations (1, 2, 3, 5, 10, 20) this has 7,372 trainable
parameters (the paper's 10.8k also counts a module the code builds but never uses).

``norm_statistics``: ``running`` (the code: evaluation normalises with BatchNorm's running
statistics) or ``image`` (no running statistics: every forward pass normalises with the
statistics of its own batch, so a single image at selection and inference is normalised by
its own statistics; a cellbench option, docs/deviations.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

import torch
from torch import nn

from cellbench.methods.contrastive.config import NormStatistics


def conv_bn_elu(
    cin: int, cout: int, dilation: int = 1, norm_statistics: NormStatistics = "running"
) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout, track_running_stats=norm_statistics == "running"),
        nn.ELU(),
    )


class ResidualBlock(nn.Module):
    """Two dilated conv–BN–ELU layers with an identity skip."""

    def __init__(self, width: int, dilation: int, norm_statistics: NormStatistics) -> None:
        super().__init__()
        self.body = nn.Sequential(
            conv_bn_elu(width, width, dilation, norm_statistics),
            conv_bn_elu(width, width, dilation, norm_statistics),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ConfidenceNetwork(nn.Module):
    """Image (B, C, H, W) → confidence maps (B, K, H, W) in (0, 1)."""

    def __init__(
        self,
        in_channels: int = 3,
        channels: int = 4,
        width: int = 8,
        dilations: Sequence[int] = (1, 2, 3, 5, 10, 20),
        norm_statistics: NormStatistics = "running",
    ) -> None:
        super().__init__()
        if norm_statistics not in get_args(NormStatistics):
            raise ValueError(
                f"norm_statistics must be one of {get_args(NormStatistics)}, got {norm_statistics!r}"
            )
        self.stem = conv_bn_elu(in_channels, width, norm_statistics=norm_statistics)
        self.blocks = nn.Sequential(*(ResidualBlock(width, d, norm_statistics) for d in dilations))
        self.head = nn.Conv2d(width, channels, 1)
        self.to(memory_format=torch.channels_last)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        # channels-last runs these 8-channel convolutions 2-3x faster on a CPU
        x = x.contiguous(memory_format=torch.channels_last)
        return self.head(self.blocks(self.stem(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(x))


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters (BatchNorm affine weights included, running statistics not)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
