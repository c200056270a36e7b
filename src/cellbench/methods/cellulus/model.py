"""The mini U-Net of paper 001, Appendix A: valid convolutions, blocks [3×3, 1×1, 1×1, 3×3].

Depth 1 (one 2× downsampling), constant (nearest) upsampling, ``num_fmaps`` feature maps in the
first block multiplied by ``fmap_inc_factor`` after each block; head 1×1 → ReLU → 1×1 to the
2-D offset r(i). With depth 1 the output is 16 px smaller per axis (252 → 236). The same class
with ``depth=3`` and more output channels is the supervised U-Net of Appendix B (Fig. 5).
"""

from __future__ import annotations

import torch
from torch import nn


def conv_block(in_channels: int, out_channels: int, batch_norm: bool = False) -> nn.Sequential:
    """[3×3, 1×1, 1×1, 3×3] valid convolutions, each followed by ReLU (Appendix A); with
    ``batch_norm`` each convolution is followed by BatchNorm before its ReLU (not in the paper)."""
    layers: list[nn.Module] = []
    for index, kernel in enumerate((3, 1, 1, 3)):
        layers += [nn.Conv2d(in_channels if index == 0 else out_channels, out_channels, kernel)]
        if batch_norm:
            layers += [nn.BatchNorm2d(out_channels)]
        layers += [nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


def center_crop(tensor: torch.Tensor, height: int, width: int) -> torch.Tensor:
    dy = (tensor.shape[-2] - height) // 2
    dx = (tensor.shape[-1] - width) // 2
    return tensor[..., dy : dy + height, dx : dx + width]


class MiniUNet(nn.Module):
    """Valid-convolution U-Net; ``forward`` maps (B, C, H, W) → (B, out_channels, H−s, W−s)."""

    def __init__(
        self,
        in_channels: int = 1,
        out_channels: int = 2,
        num_fmaps: int = 64,
        fmap_inc_factor: int = 3,
        depth: int = 1,
        zero_init_head: bool = True,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        self.depth = depth
        widths = [num_fmaps * fmap_inc_factor**level for level in range(depth + 1)]
        self.down = nn.ModuleList()
        channels = in_channels
        for level in range(depth + 1):
            self.down.append(conv_block(channels, widths[level], batch_norm))
            channels = widths[level]
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList(
            conv_block(widths[level] + widths[level + 1], widths[level], batch_norm)
            for level in reversed(range(depth))
        )
        self.head = nn.Sequential(
            nn.Conv2d(widths[0], widths[0], 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(widths[0], out_channels, 1),
        )
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                # He initialisation (the paper is silent): PyTorch's default shrinks the
                # activations by ~6× per layer, so after the 12+ convolutions of the U-Net every
                # pixel carries the same (bias-only) features and r(i) cannot vary in space.
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
        if zero_init_head:
            # Start from r = 0 everywhere (the paper is silent on initialisation): a random
            # initial offset field is noise the OCE loss first removes by silencing the head's
            # ReLUs, after which it cannot recover; see docs/deviations.md.
            nn.init.zeros_(self.head[-1].weight)
            nn.init.zeros_(self.head[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for level, block in enumerate(self.down):
            x = block(x)
            if level < self.depth:
                skips.append(x)
                x = self.pool(x)
        for block, skip in zip(self.up, reversed(skips), strict=True):
            x = nn.functional.interpolate(x, scale_factor=2, mode="nearest")
            x = block(torch.cat([center_crop(skip, x.shape[-2], x.shape[-1]), x], dim=1))
        return self.head(x)


def output_size(input_size: int, depth: int = 1) -> int | None:
    """Output side for an input side, or None if the size is invalid (odd before a pooling)."""
    size = input_size
    for _ in range(depth):
        size -= 4
        if size <= 0 or size % 2:
            return None
        size //= 2
    size -= 4
    for _ in range(depth):
        size = size * 2 - 4
    return size if size > 0 else None


def valid_input_size(min_output: int, depth: int = 1) -> int:
    """Smallest valid input side whose output side is at least ``min_output``."""
    size = max(1, min_output)
    while True:
        out = output_size(size, depth)
        if out is not None and out >= min_output:
            return size
        size += 1
