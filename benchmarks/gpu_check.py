"""GPU check: a fixed short slice of each method's paper-scale training, extrapolated.

On a CUDA machine, every registered slice runs ``--iterations`` (default 200) training
iterations at the paper's sizes after a few warm-up iterations and prints iterations/s, peak GPU
memory, mean GPU utilisation (sampled with ``nvidia-smi``) and the extrapolated wall time of the
method's full paper configuration on that GPU, so that a cluster allocation can be planned. The
default slices finish within a few minutes on one modern GPU. Without a GPU it runs a tiny slice
(2 iterations) on the CPU, which tests the script, not the hardware.

Usage: python benchmarks/gpu_check.py [--iterations N] [--only NAME ...] [--device cuda|cpu]

A method registers a slice with :func:`register`: a name, a function ``step_fn(device)`` that
builds the paper-size model, optimiser and batch source and returns a zero-argument callable
doing one training iteration, and the number of such iterations in the paper configuration.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from cellbench.device import seed_everything
from cellbench.provenance import device_description

Step = Callable[[], None]


@dataclass(frozen=True)
class Slice:
    """One method phase: ``build(device)`` returns the step; ``paper_iterations`` of them make
    the paper's full configuration (``how`` says how that count is made up)."""

    name: str
    build: Callable[[torch.device], Step]
    paper_iterations: int
    how: str


SLICES: dict[str, Slice] = {}


def register(name: str, paper_iterations: int, how: str) -> Callable:
    """Decorator: register ``build(device) -> step`` as the slice ``name``."""

    def wrap(build: Callable[[torch.device], Step]) -> Callable[[torch.device], Step]:
        SLICES[name] = Slice(name, build, paper_iterations, how)
        return build

    return wrap


# --- cellulus (paper 001, Appendix A): 50 epochs × 100 iterations of 8 × 252² crops ------------
@register("cellulus_train", 50 * 100, "50 epochs × 100 iterations, batch 8 × 252², per dataset")
def cellulus_step(device: torch.device) -> Step:
    from cellbench.methods.cellulus.config import CellulusConfig
    from cellbench.methods.cellulus.data import random_batch
    from cellbench.methods.cellulus.loss import oce_loss
    from cellbench.methods.cellulus.model import output_size
    from cellbench.methods.cellulus.train import build_model, pair_batch

    config = CellulusConfig()
    rng = np.random.default_rng(0)
    images = [rng.random((1, 512, 512), dtype=np.float32) for _ in range(4)]
    model = build_model(config, 1).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    out = output_size(config.crop_size)

    def step() -> None:
        batch = torch.from_numpy(random_batch(images, config.batch_size, config.crop_size, rng))
        anchors, partners = pair_batch(config.batch_size, out, config, rng)
        offsets = model(batch.to(device))
        loss = oce_loss(offsets, anchors.to(device), partners.to(device), tau=config.tau)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


# --- deepng (paper 000, Section II-C/D) ------------------------------------------------------
DEEPNG_CT1_IMAGES = 592
DEEPNG_RUNS = (5 * 2 + 1) * 48  # k ∈ {5, 50, 100, 500, 1000} for kMC and NG, GNG; 48 seeds


@register(
    "deepng_baseline",
    50 * math.ceil(DEEPNG_CT1_IMAGES / 8),
    "50 epochs × ⌈592 CT1 images / batch 8⌉, ResNet-50 U-Net, 256² crops",
)
def deepng_baseline_step(device: torch.device) -> Step:
    from cellbench.methods.deepng.config import DeepNGConfig
    from cellbench.methods.deepng.train_segmentation import training_batch
    from cellbench.models.resnet_unet import ResNetUNet
    from cellbench.optim import Lamb

    cfg = DeepNGConfig()
    rng = np.random.default_rng(0)
    pairs = [
        (rng.random((320, 320, 3), dtype=np.float32), rng.integers(0, 3, (320, 320)))
        for _ in range(8)
    ]
    model = ResNetUNet(encoder=cfg.encoder).to(device).train()
    seg = cfg.segmentation
    optimizer = Lamb(model.parameters(), lr=seg.lr, betas=(seg.beta1, seg.beta2))
    order = np.arange(len(pairs))

    def step() -> None:
        x, y = training_batch(pairs, order, 0, cfg, rng, device)
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


@register(
    "deepng_retrain",
    20 * math.ceil(5000 / 8) * DEEPNG_RUNS,
    f"20 epochs × ⌈5000 draws / batch 8⌉ × {DEEPNG_RUNS} runs, 128² crops",
)
def deepng_retrain_step(device: torch.device) -> Step:
    from cellbench.methods.deepng.config import DeepNGConfig
    from cellbench.methods.deepng.images import to_tensor_batch
    from cellbench.models.resnet_unet import EncoderClassifier, ResNetUNet

    cfg = DeepNGConfig()
    r = cfg.retraining
    rng = np.random.default_rng(0)
    classifier = EncoderClassifier(ResNetUNet(encoder=cfg.encoder).encoder, 100).to(device).train()
    optimizer = torch.optim.SGD(classifier.parameters(), lr=r.lr, momentum=r.momentum)

    def step() -> None:
        images = [rng.random((r.crop, r.crop, 3), dtype=np.float32) for _ in range(r.batch_size)]
        x = to_tensor_batch(images).to(device)
        y = torch.from_numpy(rng.integers(0, 100, r.batch_size)).to(device)
        loss = F.cross_entropy(classifier(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


# --- spoco (paper 004, App. A.2): depth-6 U-Net, batch 4 × 448², f and its EMA twin g -------
@register(
    "spoco_train",
    80_000,
    "80k-iteration cap (fewer if the lr decays below min_lr), batch 4 × 448², SPOCO mode, "
    "per dataset and mode",
)
def spoco_step(device: torch.device) -> Step:
    from cellbench.methods.spoco.config import SpocoConfig
    from cellbench.methods.spoco.model import EmbeddingUNet, ema_update
    from cellbench.methods.spoco.sampling import UNLABELED
    from cellbench.methods.spoco.train import batch_loss, make_batch

    cfg = SpocoConfig()
    rng = np.random.default_rng(0)
    target = torch.zeros(530, 500, dtype=torch.long)  # a CVPPP-sized plant of 20 square leaves
    for k in range(20):
        y, x = 20 + 100 * (k // 4), 20 + 120 * (k % 4)
        target[y : y + 90, x : x + 100] = k + 1 if k % 2 else UNLABELED  # half the leaves labelled
    images = [torch.rand(3, 530, 500) for _ in range(8)]
    targets = [target] * len(images)
    f_net = EmbeddingUNet(3, cfg.embedding_dim, cfg.depth, cfg.width).to(device)
    g_net = EmbeddingUNet(3, cfg.embedding_dim, cfg.depth, cfg.width).to(device)
    optimizer = torch.optim.Adam(
        f_net.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay
    )
    gen = torch.Generator(device=device).manual_seed(0)

    def step() -> None:
        batch = make_batch(images, targets, cfg, rng, twin=True)
        loss, _ = batch_loss(f_net, g_net, batch, "sparse", cfg, gen)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        ema_update(g_net, f_net, cfg.momentum)

    return step


# --- contrastive (paper 003, Sec. 3.2 / 4): K = 4 confidence maps, 10 crops of 300² per batch -
MONUSEG_TRAIN_IMAGES = 37  # paper 003, Sec. 4 "Data"


@register(
    "contrastive_train",
    300 * math.ceil(MONUSEG_TRAIN_IMAGES / 10),
    f"300 epochs × ⌈{MONUSEG_TRAIN_IMAGES} MoNuSeg images / batch 10⌉ per run (10 runs in Table 2)",
)
def contrastive_step(device: torch.device) -> Step:
    from cellbench.methods.contrastive.config import ContrastiveConfig
    from cellbench.methods.contrastive.model import ConfidenceNetwork
    from cellbench.methods.contrastive.train import batch_loss

    cfg = ContrastiveConfig()
    model = ConfidenceNetwork(3, cfg.channels, cfg.width, cfg.dilations, cfg.norm_statistics)
    model.to(device).train()
    optimiser = torch.optim.Adam(
        model.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay
    )
    generator = torch.Generator().manual_seed(0)

    def step() -> None:
        batch = torch.rand(cfg.batch_size, 3, cfg.crop_size, cfg.crop_size, device=device)
        _, loss = batch_loss(model, batch, cfg, generator)
        if loss is not None:
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()

    return step


# --- infogan (paper 002, Sec. IV-B): width 128, batch 64, 5 critic steps per generator step ----
MARROW_A_CELLS = 1596  # paper 002, Table I: training cells of dataset A


@register(
    "infogan_train",
    math.ceil(10 * MARROW_A_CELLS * 4 / 64),
    f"10 epochs × {MARROW_A_CELLS} dataset-A cells × 4 rotations / batch 64, per k and seed",
)
def infogan_step(device: torch.device) -> Step:
    from cellbench.methods.infogan.config import InfoganConfig
    from cellbench.methods.infogan.train import Trainer

    crops = np.random.default_rng(0).integers(0, 256, (MARROW_A_CELLS, 32, 32, 3), dtype=np.uint8)
    trainer = Trainer(crops, InfoganConfig(), 0, device)

    def step() -> None:
        trainer.iteration()

    return step


class UtilisationSampler:
    """Mean GPU utilisation (%) from ``nvidia-smi`` sampled every 0.2 s in a thread."""

    def __init__(self, device: torch.device) -> None:
        self.enabled = device.type == "cuda" and shutil.which("nvidia-smi") is not None
        self.index = device.index or 0
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"]
        while not self._stop.is_set():
            try:
                lines = subprocess.run(query, capture_output=True, text=True, timeout=5).stdout
                self.samples.append(float(lines.split()[self.index]))
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                pass
            self._stop.wait(0.2)

    def __enter__(self) -> UtilisationSampler:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.enabled:
            self._thread.join()

    @property
    def mean(self) -> float:
        return float(np.mean(self.samples)) if self.samples else float("nan")


def synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(slice_: Slice, device: torch.device, iterations: int, warmup: int) -> dict:
    """Iterations/s, peak memory (GiB), mean utilisation (%) and extrapolated hours."""
    seed_everything(0)
    step = slice_.build(device)
    for _ in range(warmup):
        step()
    synchronise(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    with UtilisationSampler(device) as sampler:
        start = time.perf_counter()
        for _ in range(iterations):
            step()
        synchronise(device)
        seconds = time.perf_counter() - start
    rate = iterations / seconds
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else math.nan
    return {
        "slice": slice_.name,
        "it_per_s": rate,
        "peak_gib": peak,
        "util_pct": sampler.mean,
        "paper_iterations": slice_.paper_iterations,
        "paper_hours": slice_.paper_iterations / rate / 3600,
        "how": slice_.how,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--iterations", type=int, help="measured iterations (GPU 200, CPU 2)")
    parser.add_argument("--warmup", type=int, help="unmeasured iterations first (GPU 10, CPU 1)")
    parser.add_argument("--only", nargs="*", choices=sorted(SLICES), help="slices to run")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (CPU runs)")
    args = parser.parse_args()
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    iterations = args.iterations or (200 if gpu else 2)
    warmup = args.warmup if args.warmup is not None else (10 if gpu else 1)
    torch.set_num_threads(args.threads)
    if gpu:
        torch.backends.cudnn.benchmark = True
    print(f"device: {device_description(str(device))}")
    if not gpu:
        print("NO GPU: tiny CPU slice; the figures below test the script, not a GPU.")
    print(f"{iterations} measured iterations per slice after {warmup} warm-up iterations\n")
    header = f"{'slice':<18}{'it/s':>9}{'peak GiB':>10}{'GPU %':>7}{'paper its':>12}{'paper h':>10}"
    print(header)
    total = 0.0
    for name in args.only or list(SLICES):
        row = measure(SLICES[name], device, iterations, warmup)
        total += row["paper_hours"]
        print(
            f"{row['slice']:<18}{row['it_per_s']:>9.3g}{row['peak_gib']:>10.2f}"
            f"{row['util_pct']:>7.0f}{row['paper_iterations']:>12d}{row['paper_hours']:>10.1f}"
            f"   ({row['how']})",
            flush=True,
        )
    print(f"\nextrapolated paper configuration, all slices: {total:.1f} h on this device")


if __name__ == "__main__":
    main()
