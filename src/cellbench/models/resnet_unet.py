"""U-Net with a ResNet encoder (paper 000, Section II-C; He et al. 2016 for the ResNets).

The paper's encoder is ResNet-50 (bottleneck blocks [3, 4, 6, 3], widths 256, 512, 1024, 2048,
strides 4, 8, 16, 32), implemented here, randomly initialised. Its last block is the latent
space of paper 000: 8×8×2048 for a 256×256×3 input (:meth:`ResNetUNet.encode`). ResNet-18/34
(basic blocks [2, 2, 2, 2] / [3, 4, 6, 3], widths 64..512, latent 512-D) are lighter named
options for CPU-scale runs (docs/deviations.md). The decoder upsamples by 2 five times,
concatenating the encoder features of the same resolution (U-Net skip connections), and ends in
a 1×1 convolution to 3 classes (background, cell, cell border). Inputs must have height and
width divisible by 32.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

WIDTHS = (64, 128, 256, 512)  # stage widths; bottleneck outputs are EXPANSION× these
EXPANSION = 4
# name -> (blocks per stage, bottleneck blocks?)
ENCODERS = {
    "resnet18": ((2, 2, 2, 2), False),
    "resnet34": ((3, 4, 6, 3), False),
    "resnet50": ((3, 4, 6, 3), True),
}
DECODER_CHANNELS = (256, 128, 64, 32, 16)
N_CLASSES = 3
DIVISOR = 32


class BasicBlock(nn.Module):
    """Two 3×3 convolutions with identity or projection shortcut (ResNet-18/34)."""

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample: nn.Module | None = None
        if stride != 1 or in_channels != width:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, width, 1, stride=stride, bias=False),
                nn.BatchNorm2d(width),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


class Bottleneck(nn.Module):
    """1×1 → 3×3 (stride) → 1×1 bottleneck with identity or projection shortcut."""

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        out_channels = width * EXPANSION
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.downsample: nn.Module | None = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + identity)


class ResNetEncoder(nn.Module):
    """ResNet-18/34/50 without the classification head; returns the features of every stage."""

    def __init__(self, in_channels: int = 3, name: str = "resnet50") -> None:
        super().__init__()
        if name not in ENCODERS:
            raise ValueError(f"unknown encoder {name!r}; known: {sorted(ENCODERS)}")
        depths, bottleneck = ENCODERS[name]
        block = Bottleneck if bottleneck else BasicBlock
        expansion = EXPANSION if bottleneck else 1
        self.channels = (64, *(w * expansion for w in WIDTHS))
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        channels = 64
        layers = []
        for index, (blocks, width) in enumerate(zip(depths, WIDTHS, strict=True)):
            stride = 1 if index == 0 else 2
            stage = [block(channels, width, stride)]
            channels = width * expansion
            stage += [block(channels, width) for _ in range(blocks - 1)]
            layers.append(nn.Sequential(*stage))
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Features at strides 2, 4, 8, 16, 32 (``self.channels``: 64, 256, ..., 2048 for
        ResNet-50; 64, 64, ..., 512 for ResNet-18/34)."""
        stem = F.relu(self.bn1(self.conv1(x)))
        c2 = self.layer1(self.maxpool(stem))
        c3 = self.layer2(c2)
        c4 = self.layer3(c3)
        c5 = self.layer4(c4)
        return [stem, c2, c3, c4, c5]


class DecoderBlock(nn.Module):
    """Upsample ×2, concatenate the skip connection, two 3×3 conv-BN-ReLU."""

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(in_channels + skip_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None) -> torch.Tensor:
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        return self.block(x)


class UNetDecoder(nn.Module):
    """Five decoder blocks from stride 32 back to full resolution, then a 1×1 class head."""

    def __init__(self, encoder_channels: tuple[int, ...], n_classes: int = N_CLASSES) -> None:
        super().__init__()
        skips = (*encoder_channels[3::-1], 0)
        blocks = []
        channels = encoder_channels[-1]
        for skip, out in zip(skips, DECODER_CHANNELS, strict=True):
            blocks.append(DecoderBlock(channels, skip, out))
            channels = out
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Conv2d(channels, n_classes, 1)

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        stem, c2, c3, c4, c5 = features
        x = c5
        for block, skip in zip(self.blocks, (c4, c3, c2, stem, None), strict=True):
            x = block(x, skip)
        return self.head(x)


class ResNetUNet(nn.Module):
    """ResNet encoder (paper: ResNet-50) + U-Net decoder with 3 output classes (logits)."""

    def __init__(
        self, in_channels: int = 3, n_classes: int = N_CLASSES, encoder: str = "resnet50"
    ) -> None:
        super().__init__()
        self.encoder = ResNetEncoder(in_channels, encoder)
        self.decoder = UNetDecoder(self.encoder.channels, n_classes)

    @property
    def latent_channels(self) -> int:
        return self.encoder.channels[-1]

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Latent space: output of the last ResNet block, (N, 2048 or 512, H/32, W/32)."""
        check_divisible(x)
        return self.encoder(x)[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_divisible(x)
        return self.decoder(self.encoder(x))


class EncoderClassifier(nn.Module):
    """Encoder + global average pooling + linear(2048 → k): the pseudo-label head of paper 000."""

    def __init__(self, encoder: ResNetEncoder, n_clusters: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.fc = nn.Linear(encoder.channels[-1], n_clusters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        latent = self.encoder(x)[-1]
        return self.fc(latent.mean(dim=(2, 3)))


def check_divisible(x: torch.Tensor) -> None:
    if x.shape[-1] % DIVISOR or x.shape[-2] % DIVISOR:
        raise ValueError(f"input height/width must be multiples of {DIVISOR}, got {tuple(x.shape)}")
