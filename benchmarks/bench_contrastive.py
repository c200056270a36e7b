"""Benchmark of contrastive (paper 003): one training epoch on a 37-image MoNuSeg-sized synthetic
set (1000² H&E-like tiles, paper settings: 300² crops, batches of 10, 10 patches of 50², K=4,
selection Dice on every training image) and inference of one 1000² image (target ≤ 1 s on 2
cores). The paper reports ≈5 min to convergence on an RTX 3060 (Table 2).

Usage: python benchmarks/bench_contrastive.py [--threads 2] [--images 37] [--epochs 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.images import prepare_image
from cellbench.methods.contrastive.model import ConfidenceNetwork
from cellbench.methods.contrastive.postprocess import confidence_to_labels
from cellbench.methods.contrastive.select import confidence_maps
from cellbench.methods.contrastive.train import train_csl
from cellbench.methods.contrastive.trainset import TrainSet
from cellbench.provenance import device_description


def he_tiles(n: int, size: int = 1000, seed: int = 0) -> TrainSet:
    """``n`` H&E-like tiles (dark nuclei discs on a pink background) with their masks."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    images, masks = [], []
    for _ in range(n):
        mask = np.zeros((size, size), bool)
        for cy, cx, r in zip(
            *(rng.integers(0, size, 400) for _ in range(2)), rng.integers(6, 12, 400), strict=True
        ):
            y0, y1, x0, x1 = (
                max(cy - r, 0),
                min(cy + r + 1, size),
                max(cx - r, 0),
                min(cx + r + 1, size),
            )
            mask[y0:y1, x0:x1] |= (yy[y0:y1, x0:x1] - cy) ** 2 + (
                xx[y0:y1, x0:x1] - cx
            ) ** 2 <= r * r
        image = np.where(mask[..., None], [110, 70, 160], [225, 170, 220]).astype(np.float64)
        image += rng.normal(0, 12, image.shape)
        images.append(prepare_image(np.clip(image, 0, 255).astype(np.uint8), 0.05))
        masks.append(mask)
    return TrainSet([f"tile{i}" for i in range(n)], images, masks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--images", type=int, default=37)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"device: {device_description(args.device)}, {args.threads} threads")

    trainset = he_tiles(args.images)
    cfg = ContrastiveConfig(epochs=args.epochs, loss_variant="code")
    start = time.perf_counter()
    record = train_csl(trainset, cfg, seed=0, device=args.device)
    per_epoch = (time.perf_counter() - start) / args.epochs
    print(f"training: {per_epoch:.1f} s per epoch ({args.images} images of 1000², paper settings)")
    print(
        f"  -> 300 epochs ≈ {300 * per_epoch / 60:.0f} min (paper: ≈5 min to convergence, RTX 3060)"
    )
    print(
        f"  selection Dice per channel after epoch 1: {np.round(record['history']['dice'][0], 3)}"
    )

    model = ConfidenceNetwork(3, 4).eval()
    image = (trainset.images[0] - 0.05) / 0.95
    raw = (image * 255).astype(np.uint8)
    confidence_maps(model, prepare_image(raw, 0.05), torch.device(args.device))  # warm-up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        conf = confidence_maps(model, prepare_image(raw, 0.05), torch.device(args.device))[0]
        confidence_to_labels(conf, 0.5, 3, 1)
        times.append(time.perf_counter() - start)
    print(f"inference of one 1000² image: {min(times):.2f} s (best of 3; target ≤ 1 s on 2 cores)")


if __name__ == "__main__":
    main()
