"""Augmentations of spoco training (METHODS.md): shared geometry for f and g (random resized
crop, flips), independent photometric perturbations (colour jitter, greyscale, Gaussian blur).
All draws come from an explicit ``numpy.random.Generator``."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F


def random_resized_crop_box(
    shape: tuple[int, int], scale: tuple[float, float], rng: np.random.Generator
) -> tuple[int, int, int, int]:
    """(y0, x0, h, w) of a crop covering ``scale`` of the area with aspect ratio in [3/4, 4/3]."""
    height, width = shape
    for _ in range(10):
        area = height * width * rng.uniform(*scale)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = round(math.sqrt(area * ratio))
        h = round(math.sqrt(area / ratio))
        if 0 < w <= width and 0 < h <= height:
            return int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1)), h, w
    return 0, 0, height, width


def geometric(
    image: torch.Tensor,
    target: torch.Tensor,
    size: int,
    scale: tuple[float, float],
    rng: np.random.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random resized crop to ``size``² and random flips of a (C, H, W) image and its (H, W) target."""
    y0, x0, h, w = random_resized_crop_box(tuple(image.shape[-2:]), scale, rng)
    img = F.interpolate(
        image[None, :, y0 : y0 + h, x0 : x0 + w],
        size=(size, size),
        mode="bilinear",
        align_corners=False,
    )[0]
    tgt = F.interpolate(
        target[None, None, y0 : y0 + h, x0 : x0 + w].float(), size=(size, size), mode="nearest"
    )[0, 0]
    tgt = tgt.long()
    if rng.random() < 0.5:
        img, tgt = img.flip(-1), tgt.flip(-1)
    if rng.random() < 0.5:
        img, tgt = img.flip(-2), tgt.flip(-2)
    return img, tgt


def _grey(image: torch.Tensor) -> torch.Tensor:
    return (0.299 * image[0] + 0.587 * image[1] + 0.114 * image[2])[None]


def _hue_shift(image: torch.Tensor, shift: float) -> torch.Tensor:
    """Rotate the chroma of an RGB image by ``shift`` turns in YIQ space."""
    yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    theta = 2 * math.pi * shift
    rot = torch.tensor(
        [[1, 0, 0], [0, math.cos(theta), -math.sin(theta)], [0, math.sin(theta), math.cos(theta)]]
    )
    matrix = torch.linalg.inv(yiq) @ rot @ yiq
    return torch.einsum("ij,jhw->ihw", matrix.to(image.dtype), image)


def gaussian_blur(image: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of a (C, H, W) image (kernel radius 3σ, reflect padding)."""
    radius = max(1, math.ceil(3 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=image.dtype)
    kernel = torch.exp(-(x**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    c = image.shape[0]
    out = F.pad(image[None], (radius, radius, radius, radius), mode="reflect")
    out = F.conv2d(out, kernel.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    out = F.conv2d(out, kernel.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)
    return out[0]


def photometric(image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Colour jitter (0.4, 0.4, 0.4, 0.1) p=0.5, greyscale p=0.2, Gaussian blur σ∈[0.1, 2] p=0.5
    of a (C, H, W) image scaled to [0, 1]; saturation, hue and greyscale only for RGB."""
    rgb = image.shape[0] == 3
    if rng.random() < 0.5:
        image = image * rng.uniform(0.6, 1.4)
        mean = (_grey(image) if rgb else image).mean()
        image = (image - mean) * rng.uniform(0.6, 1.4) + mean
        if rgb:
            grey = _grey(image)
            image = (image - grey) * rng.uniform(0.6, 1.4) + grey
            image = _hue_shift(image, rng.uniform(-0.1, 0.1))
        image = image.clamp(0, 1)
    if rgb and rng.random() < 0.2:
        image = _grey(image).expand(3, -1, -1).clone()
    if rng.random() < 0.5:
        image = gaussian_blur(image, rng.uniform(0.1, 2.0))
    return image
