"""GPU smoke check: every method's real training and prediction entry points on a device.

Before a cluster allocation, this runs each trainable method (cellulus, deepng, spoco,
contrastive CSL + supervised CNN, infogan) for a few iterations on tiny synthetic datasets it
generates itself, then predicts their test images with the trained model, all on ``--device``.
It reports seconds and the object counts of the predictions per method (a few iterations do not
make good segmentations: the check is that every tensor lands on the right device and every file
is written) and exits non-zero if any method fails. It found the contrastive training's patch
offsets left on the CPU, the first time it ran on a GPU.

Usage: python benchmarks/gpu_smoke.py [--device cuda] [--only cellulus spoco ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tifffile
import torch

from cellbench.data.synth import generate
from cellbench.methods.predict import predict_dataset
from cellbench.provenance import device_description

Check = Callable[[Path, str], str]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register ``fn(workdir, device) -> summary`` as the check of method ``name``."""

    def wrap(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return wrap


def dataset(work: Path, domain: str) -> Path:
    root = work / f"synth-{domain}"
    return root if root.exists() else generate(domain, root, seed=0, size="tiny")


def predicted_objects(method: str, model: Path, data: Path, device: str) -> list[int]:
    """Predict the test images of ``data``; objects per predicted image."""
    out = model.with_suffix(".pred")
    predict_dataset(method, model, data, out, device=device, seed=0, threads=2)
    return [len(np.unique(tifffile.imread(f))) - 1 for f in sorted(out.glob("*.tif"))]


@check("cellulus")
def cellulus(work: Path, device: str) -> str:
    from cellbench.methods.cellulus.config import CellulusConfig
    from cellbench.methods.cellulus.train import train

    data = dataset(work, "ctc")
    cfg = CellulusConfig(
        num_fmaps=16,
        crop_size=96,
        epochs=1,
        iterations_per_epoch=20,
        lr_milestones=[],
        num_passes=2,
        bandwidths=[10],
        shrinks=[0],
        bandwidth_search_steps=0,
        select_max_images=1,
    )
    train(data, work / "cellulus.pt", cfg, seed=0, device=device)
    return str(predicted_objects("cellulus", work / "cellulus.pt", data, device))


@check("deepng")
def deepng(work: Path, device: str) -> str:
    from cellbench.methods.deepng.config import DeepNGConfig
    from cellbench.methods.deepng.train_segmentation import train_segmentation

    data = dataset(work, "dsb")
    segmentation = {"epochs": 2, "steps_per_epoch": 3, "batch_size": 4, "crop": 96}
    cfg = DeepNGConfig.from_dict({"encoder": "resnet18", "segmentation": segmentation})
    train_segmentation(data, work / "deepng.pt", cfg, 0, device=device)
    return str(predicted_objects("deepng", work / "deepng.pt", data, device))


@check("spoco")
def spoco(work: Path, device: str) -> str:
    from cellbench.methods.spoco.config import SpocoConfig
    from cellbench.methods.spoco.train import train

    data = dataset(work, "leaves")
    cfg = SpocoConfig(iterations=10, crop_size=128, check_every=5, clusterings=["mws"])
    record = train(data, work / "spoco.pt", cfg, "sparse@0.4", 0, device=device)
    objects = predicted_objects("spoco", work / "spoco.pt", data, device)
    return f"{record['iterations_per_second']:.2f} it/s, {objects}"


@check("contrastive")
def contrastive(work: Path, device: str) -> str:
    from cellbench.methods.contrastive import supervised
    from cellbench.methods.contrastive import train as csl
    from cellbench.methods.contrastive.config import ContrastiveConfig

    data = dataset(work, "histo")
    cfg = ContrastiveConfig(
        epochs=3,
        cnn_epochs=2,
        crop_size=64,
        patch_size=16,
        patch_stride=8,
        batch_size=2,
        selection_images=2,
        selection_crop=64,
    )
    csl.train(data, work / "csl.pt", cfg, seed=0, device=device)
    supervised.train(data, work / "cnn.pt", cfg, device=device)
    return str(predicted_objects("contrastive", work / "csl.pt", data, device))


@check("infogan")
def infogan(work: Path, device: str) -> str:
    from cellbench.methods.infogan.cells import write_cells
    from cellbench.methods.infogan.config import InfoganConfig
    from cellbench.methods.infogan.pipeline import train_run

    cfg = InfoganConfig(width=16, batch_size=32, iterations=20, cells="labels")
    cells = write_cells(dataset(work, "marrow"), work / "cells", cfg)
    train_run(cells, work / "infogan.pt", cfg, seed=0, categories=5, device=device)
    record = torch.load(work / "infogan.pt", weights_only=False)
    return f"trained on {record['provenance']['device']}, Q purity {record['history']['purity']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--only", nargs="*", choices=sorted(CHECKS), help="methods to check")
    args = parser.parse_args()
    print(f"device: {device_description(args.device)}")
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or CHECKS:
            start = time.perf_counter()
            try:
                summary = CHECKS[name](Path(tmp), args.device)
                print(f"{name:12s} ok    {time.perf_counter() - start:6.1f} s  {summary}")
            except Exception:  # report every method, then fail
                failed.append(name)
                print(f"{name:12s} FAIL\n{traceback.format_exc()}")
    print(f"failed: {failed}" if failed else "all methods trained and predicted on the device")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
