"""The 2-D U-Net embedding network of spoco's CVPPP setup (paper App. A.1, Fig. 7; METHODS.md).

Each level: two [BatchNorm → 3×3 conv (no bias) → ReLU] blocks (BatchNorm first, also on the
raw input; the first encoder conv has max(out/2, in) channels); ``depth`` levels with
``width · 2^l`` feature maps and ``depth − 1`` max-pools; decoder: nearest upsampling to the
skip's size, concat(skip, up), two blocks; a final 1×1 conv gives the embedding.
Paper: depth 6, width 16 (16 … 512 maps), 16-D output, ≈5.5 M parameters.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.BatchNorm2d(c_in),
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.ReLU(inplace=True),
    )


class DoubleConv(nn.Sequential):
    """Two BatchNorm → conv → ReLU blocks; ``encoder`` halves the first conv's outputs."""

    def __init__(self, c_in: int, c_out: int, encoder: bool) -> None:
        mid = max(c_out // 2, c_in) if encoder else c_out
        super().__init__(_block(c_in, mid), _block(mid, c_out))


class EmbeddingUNet(nn.Module):
    """U-Net mapping a (B, C, H, W) image to (B, D, H, W) pixel embeddings."""

    def __init__(self, in_channels: int, embedding_dim: int = 16, depth: int = 6, width: int = 16):
        super().__init__()
        maps = [width * 2**level for level in range(depth)]
        self.encoders = nn.ModuleList(
            DoubleConv(c_in, c_out, encoder=True)
            for c_in, c_out in zip([in_channels, *maps[:-1]], maps, strict=True)
        )
        self.decoders = nn.ModuleList(
            DoubleConv(maps[level] + maps[level + 1], maps[level], encoder=False)
            for level in reversed(range(depth - 1))
        )
        self.head = nn.Conv2d(maps[0], embedding_dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for level, encoder in enumerate(self.encoders):
            if level:
                x = F.max_pool2d(x, 2)
            x = encoder(x)
            skips.append(x)
        for decoder, skip in zip(self.decoders, reversed(skips[:-1]), strict=True):
            x = F.interpolate(x, size=skip.shape[-2:], mode="nearest")
            x = decoder(torch.cat([skip, x], dim=1))
        return self.head(x)


def zscore(image: torch.Tensor) -> torch.Tensor:
    """Per-image, per-channel z-scoring of a (B, C, H, W) batch (METHODS.md)."""
    mean = image.mean(dim=(-2, -1), keepdim=True)
    std = image.std(dim=(-2, -1), keepdim=True)
    return (image - mean) / std.clamp_min(1e-6)


@torch.no_grad()
def ema_update(target: nn.Module, source: nn.Module, momentum: float) -> None:
    """g ← m·g + (1 − m)·f on the parameters only; BatchNorm buffers are not averaged (§3.2)."""
    for p_g, p_f in zip(target.parameters(), source.parameters(), strict=True):
        p_g.mul_(momentum).add_(p_f.detach(), alpha=1 - momentum)
