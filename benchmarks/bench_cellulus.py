"""Benchmark of cellulus (paper 001): inference of one 512² image (32 noisy passes + mean-shift)
and training iterations per second, for the paper network (64 feature maps) and the reduced
default-config network.

Usage: python benchmarks/bench_cellulus.py [--threads 2] [--fmaps 64 16] [--train-iterations 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from skimage.draw import disk

from cellbench.device import select_device
from cellbench.methods.cellulus.config import CellulusConfig
from cellbench.methods.cellulus.data import normalise
from cellbench.methods.cellulus.infer import embed, segment_embedding
from cellbench.methods.cellulus.train import train_model
from cellbench.provenance import device_description


def synthetic_image(size: int = 512, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = rng.normal(100, 10, (size, size))
    for _ in range(60):
        rr, cc = disk(
            tuple(rng.integers(10, size - 10, 2)), int(rng.integers(8, 14)), shape=image.shape
        )
        image[rr, cc] += 400
    return image.astype(np.uint16)


def bench_inference(config: CellulusConfig, device: torch.device, repeats: int) -> float:
    torch.manual_seed(0)
    from cellbench.methods.cellulus.train import build_model

    model = build_model(config, 1).to(device).eval()
    data = normalise(synthetic_image())
    times = []
    for repeat in range(repeats + 1):
        start = time.perf_counter()
        embedding = embed(model, data, config, np.random.default_rng(repeat), device)
        segment_embedding(
            embedding,
            bandwidth=config.bandwidth,
            shrink=2,
            config=config,
            rng=np.random.default_rng(0),
        )
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))  # first call warms up


def bench_training(config: CellulusConfig, device: torch.device) -> float:
    images = [normalise(synthetic_image(seed=s)) for s in range(2)]
    _, record = train_model(images, config, seed=0, device=device)
    return float(record["iterations_per_second"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fmaps", type=int, nargs="+", default=[64, 16])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--train-iterations", type=int, default=5)
    parser.add_argument("--crop-size", type=int, default=252)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = select_device(args.device)
    print(f"device: {device_description(str(device))}")
    for fmaps in args.fmaps:
        config = CellulusConfig(
            num_fmaps=fmaps,
            crop_size=args.crop_size,
            batch_size=args.batch_size,
            epochs=1,
            iterations_per_epoch=args.train_iterations,
            lr_milestones=[],
        )
        seconds = bench_inference(config, device, args.repeats)
        print(
            f"num_fmaps={fmaps}: inference 512x512, {config.num_passes} passes + mean-shift: {seconds:.2f} s"
        )
        rate = bench_training(config, device)
        print(
            f"num_fmaps={fmaps}: training batch {config.batch_size} x {config.crop_size}^2: {rate:.3f} it/s"
        )


if __name__ == "__main__":
    main()
