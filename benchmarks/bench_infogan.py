"""Benchmark of infogan (paper 002): nuclei segmentation of one 1200² H&E-like image (target
≤ 2 s) and WGAN-GP + InfoGAN generator iterations per second (5 critic steps each) at the
paper's widths (128, batch 64) and the default config's (16, batch 32).

Usage: python benchmarks/bench_infogan.py [--threads 2] [--iterations 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from cellbench.methods.infogan import stain
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.nuclei import NucleiSegmenter
from cellbench.methods.infogan.train import train
from cellbench.provenance import device_description


def configs(iterations: int) -> list[InfoganConfig]:
    """The paper's widths (128, batch 64) and the default config's (16, batch 32), each logging
    once, at the end."""
    return [
        InfoganConfig(width=width, batch_size=batch, iterations=iterations, log_every=iterations)
        for width, batch in ((128, 64), (16, 32))
    ]


def synthetic_he(size: int = 1200, seed: int = 0) -> np.ndarray:
    """Beer–Lambert H&E tile with ~400 round nuclei."""
    rng = np.random.default_rng(seed)
    conc_h = np.zeros((size, size))
    yy, xx = np.ogrid[:size, :size]
    for cy, cx in rng.integers(0, size, (400, 2)):
        r = rng.uniform(7, 12)
        conc_h[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.uniform(120, 220)
    conc_e = rng.uniform(20, 60, (size, size))
    od = conc_h[..., None] * stain.HAEMATOXYLIN + conc_e[..., None] * stain.EOSIN
    return np.clip(stain.I0 ** (1 - od / 255) - 1, 0, 255).round().astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"device: {device_description('cpu')}")
    image = synthetic_he()
    segmenter = NucleiSegmenter()
    segmenter.segment(image)  # warm-up
    start = time.perf_counter()
    labels = segmenter.segment(image)
    print(
        f"nuclei segmentation 1200x1200: {time.perf_counter() - start:.2f} s "
        f"({labels.max()} objects; target <= 2 s)"
    )
    crops = np.random.default_rng(0).integers(0, 256, (512, 32, 32, 3), dtype=np.uint8)
    for config in configs(args.iterations):
        train(crops, config.model_copy(update={"iterations": 1}), 0)  # warm-up
        start = time.perf_counter()
        train(crops, config, 0)
        rate = args.iterations / (time.perf_counter() - start)
        print(
            f"generator iterations/s, width {config.width}, batch {config.batch_size}: {rate:.3f}"
        )


if __name__ == "__main__":
    main()
