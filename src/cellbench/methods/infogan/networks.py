"""Residual generator and critic of paper 002 (Fig. 3; authors' gan_model.py), the critic's
trunk shared by the D head (→ 1) and the Q head (→ k log-probabilities)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def conv3(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=1)


class UpBlock(nn.Module):
    """BN-ReLU-conv-BN-ReLU-upsample-conv, shortcut nearest-upsample → 1×1 conv."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), conv3(cin, cout)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), conv3(cout, cout)
        self.shortcut = nn.Conv2d(cin, cout, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.relu(self.bn1(x)))
        h = self.conv2(F.interpolate(F.relu(self.bn2(h)), scale_factor=2, mode="nearest"))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class Generator(nn.Module):
    """(c one-hot ⊕ z) → Linear → width×4×4 → 3 up-blocks → BN-ReLU-conv3×3 → 3 → tanh."""

    def __init__(self, categories: int, noise_dim: int, width: int, size: int = 32) -> None:
        super().__init__()
        self.start = size // 8
        self.width = width
        self.fc = nn.Linear(categories + noise_dim, width * self.start**2)
        self.blocks = nn.Sequential(*(UpBlock(width, width) for _ in range(3)))
        self.bn = nn.BatchNorm2d(width)
        self.out = conv3(width, 3)

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        h = self.fc(code).view(-1, self.width, self.start, self.start)
        return torch.tanh(self.out(F.relu(self.bn(self.blocks(h)))))


class OptimisedDown(nn.Module):
    """First critic block: conv-ReLU-conv-meanpool, shortcut meanpool → 1×1 conv."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = conv3(cin, cout), conv3(cout, cout)
        self.shortcut = nn.Conv2d(cin, cout, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.avg_pool2d(self.conv2(F.relu(self.conv1(x))), 2)
        return h + self.shortcut(F.avg_pool2d(x, 2))


class ResBlock(nn.Module):
    """ReLU-conv-ReLU-conv (+ meanpool when ``down``), shortcut identity or 1×1 conv-meanpool."""

    def __init__(self, width: int, down: bool) -> None:
        super().__init__()
        self.down = down
        self.conv1, self.conv2 = conv3(width, width), conv3(width, width)
        self.shortcut = nn.Conv2d(width, width, 1) if down else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv2(F.relu(self.conv1(F.relu(x))))
        s = self.shortcut(x)
        if self.down:
            h, s = F.avg_pool2d(h, 2), F.avg_pool2d(s, 2)
        return h + s


class Critic(nn.Module):
    """Shared trunk (no normalisation) with the D head (Linear → 1) and the Q head
    (Linear → k, log-softmax)."""

    def __init__(self, categories: int, width: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            [
                OptimisedDown(3, width),
                ResBlock(width, down=True),
                ResBlock(width, down=False),
                ResBlock(width, down=False),
            ]
        )
        self.d_head = nn.Linear(width, 1)
        self.q_head = nn.Linear(width, categories)

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return F.relu(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(D(x) of shape (N,), log Q(c|x) of shape (N, k))."""
        h = self.trunk(x)
        return self.d_head(h).squeeze(1), F.log_softmax(self.q_head(h), dim=1)

    def critic(self, x: torch.Tensor) -> torch.Tensor:
        return self.d_head(self.trunk(x)).squeeze(1)

    def block_features(self, x: torch.Tensor) -> torch.Tensor:
        """Table I features: each residual block's output max-pooled to 4×4, concatenated."""
        feats = []
        for block in self.blocks:
            x = block(x)
            feats.append(F.adaptive_max_pool2d(x, 4).flatten(1))
        return torch.cat(feats, dim=1)

    def d_parameters(self) -> list[nn.Parameter]:
        return [*self.blocks.parameters(), *self.d_head.parameters()]

    def q_parameters(self) -> list[nn.Parameter]:
        return [*self.blocks.parameters(), *self.q_head.parameters()]


def sample_code(
    n: int, categories: int, noise_dim: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(category indices c (N,), generator input one-hot(c) ⊕ z with z ~ N(0, I))."""
    c = torch.randint(categories, (n,), generator=generator)
    z = torch.randn(n, noise_dim, generator=generator)
    return c, torch.cat([F.one_hot(c, categories).float(), z], dim=1)
