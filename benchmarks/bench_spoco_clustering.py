"""Benchmark of spoco (paper 004, App. A.4, Tables 14/15): the four clusterings of one 448×448
16-D embedding image, each timed in one run, with their ratios to the mutex watershed beside the
paper's Table 14 ratios (target: mutex watershed ≤ 1 s on 2 cores); and training iterations per
second of the paper's network (depth 6, 16…512 maps, batch 4 × 448²) in full and sparse mode.

The embedding is a synthetic rosette's labels (synth-leaves generator) at 448², one random
16-D centre per leaf plus Gaussian noise (σ 0.1), so every algorithm has real clusters to find.

Usage: python benchmarks/bench_spoco_clustering.py [--threads 2] [--train-iterations 2] [--size 448]
(--size: side of the embedding image; the paper's is 448, smaller sizes for a busy machine.)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from skimage.transform import resize

from cellbench.data.layout import PreparedDataset
from cellbench.data.synth import generate
from cellbench.methods.spoco import clustering, losses
from cellbench.methods.spoco.config import SpocoConfig
from cellbench.methods.spoco.model import EmbeddingUNet
from cellbench.metrics.cvppp import sbd
from cellbench.provenance import device_description

# Paper Table 14, seconds per image (SPOCO@0.1 rows; SPOCO rows for HDBSCAN/mean-shift/affinity).
PAPER = {
    "SPOCO@0.1": {"consistency": 252.3, "hdbscan": 82.3, "meanshift": 201.2, "mws": 0.45},
    "SPOCO": {"hdbscan": 164.7, "meanshift": 121.9, "mws": 0.4},
}


def embedding(size: int = 448, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        root = generate("leaves", Path(tmp) / "synth-leaves", seed=seed, size="default")
        data = PreparedDataset(root)
        labels = data.labels(data.image_ids()[0])
    labels = resize(labels, (size, size), order=0, preserve_range=True, anti_aliasing=False).astype(
        int
    )
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(labels.max() + 1, 16)) * 2.0
    emb = centres[labels].transpose(2, 0, 1) + rng.normal(scale=noise, size=(16, size, size))
    return emb.astype(np.float32), labels


def time_clusterings(emb: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    g = emb + np.random.default_rng(1).normal(scale=0.02, size=emb.shape).astype(np.float32)
    runs = {
        "mws": lambda: clustering.cluster_mws(emb),
        "hdbscan": lambda: clustering.cluster_hdbscan(emb, min_cluster_size=200, epsilon=0.5),
        "meanshift": lambda: clustering.cluster_meanshift(emb, bandwidth=0.5),
        "consistency": lambda: clustering.cluster_consistency(emb, g, delta_v=0.5),
    }
    seconds = {}
    for name, run in runs.items():
        start = time.perf_counter()
        out = run()
        seconds[name] = time.perf_counter() - start
        print(
            f"{name:12s} {seconds[name]:8.2f} s  SBD vs toy GT {sbd(labels, out):.3f}", flush=True
        )
    return seconds


def train_speed(mode: str, iterations: int) -> float:
    """Iterations per second of f (+ g for sparse) forward/backward with the mode's losses."""
    cfg = SpocoConfig()
    f = EmbeddingUNet(3, cfg.embedding_dim, cfg.depth, cfg.width)
    g = EmbeddingUNet(3, cfg.embedding_dim, cfg.depth, cfg.width)
    opt = torch.optim.Adam(f.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    x = torch.randn(cfg.batch_size, 3, cfg.crop_size, cfg.crop_size)
    target = torch.zeros(cfg.crop_size, cfg.crop_size, dtype=torch.long)
    for k in range(1, 13):  # 12 square "leaves" of 96² px on a 4 × 3 grid
        target[
            (k - 1) // 4 * 112 : (k - 1) // 4 * 112 + 96, (k - 1) % 4 * 112 : (k - 1) % 4 * 112 + 96
        ] = k
    gen = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(iterations):
        e = f(x)
        loss = e.sum() * 0
        with torch.no_grad():
            eg = g(x) if mode == "sparse" else None
        for b in range(e.shape[0]):
            inst = target[None] == torch.arange(1, 13)[:, None, None]
            loss = loss + losses.discriminative_loss(e[b], inst)
            anchors = losses.instance_anchors(e[b], inst, "random", gen)
            loss = loss + losses.instance_dice_loss(e[b], inst, anchors)
            if eg is not None:
                unl = target == 0
                pix = losses.consistency_anchor_pixels(eg[b], unl, 0.5, 20, 0.05, gen)
                loss = loss + losses.consistency_loss(e[b], eg[b], pix)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return iterations / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-iterations", type=int, default=2)
    parser.add_argument("--size", type=int, default=448)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"device: {device_description('cpu')}, {args.threads} threads")
    emb, labels = embedding(args.size)
    print(f"embedding: {args.size}×{args.size}, 16-D")
    seconds = time_clusterings(emb, labels)
    print("\nratio to mutex watershed (ours | paper SPOCO@0.1 | paper SPOCO):")
    for name in ("hdbscan", "meanshift", "consistency"):
        paper = [PAPER[k].get(name, float("nan")) / PAPER[k]["mws"] for k in ("SPOCO@0.1", "SPOCO")]
        print(
            f"  {name:12s} {seconds[name] / seconds['mws']:8.0f}× | {paper[0]:6.0f}× | {paper[1]:6.0f}×"
        )
    print(f"  mutex watershed {seconds['mws']:.2f} s (target ≤ 1 s)")
    for mode in ("full", "sparse"):
        rate = train_speed(mode, args.train_iterations)
        print(f"training, paper network, {mode}: {rate:.3f} iterations/s (batch 4 × 448²)")


if __name__ == "__main__":
    main()
