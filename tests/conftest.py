"""Shared fixtures: tiny prepared datasets built in the prepared layout."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from skimage.draw import disk

from cellbench.data.layout import DatasetInfo, write_dataset

REPO = Path(__file__).resolve().parents[1]


def load_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module, registered in ``sys.modules`` (dataclasses look
    their module up there)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def blob_image(rng: np.random.Generator, shape: tuple[int, int] = (64, 64), n: int = 4):
    """Grey image with ``n`` non-overlapping bright discs on a noisy background, and its labels."""
    labels = np.zeros(shape, dtype=np.uint16)
    image = rng.normal(0.1, 0.02, shape)
    placed = 0
    for _ in range(200):
        if placed == n:
            break
        r = int(rng.integers(5, 8))
        cy, cx = (int(rng.integers(r + 1, s - r - 1)) for s in shape)
        rr, cc = disk((cy, cx), r + 2, shape=shape)
        if labels[rr, cc].any():
            continue
        rr, cc = disk((cy, cx), r, shape=shape)
        placed += 1
        labels[rr, cc] = placed
        image[rr, cc] += 0.8
    return (np.clip(image, 0, 1) * 255).astype(np.uint8), labels


@pytest.fixture
def blob_dataset(tmp_path: Path) -> Path:
    """A prepared dataset of 4 train and 2 test blob images."""
    rng = np.random.default_rng(0)
    root = tmp_path / "blobs"
    with write_dataset(root, DatasetInfo(name="blobs", domain="test", seed=0)) as writer:
        for i in range(6):
            image, labels = blob_image(rng)
            writer.add(
                f"img{i}", image, labels, split="train" if i < 4 else "test", group=f"g{i % 2}"
            )
    return root


def copy_workflow(dest: Path) -> Path:
    """A copy of the workflow (no ``results/``, no ``.snakemake/``) in ``dest``, so that tests
    never depend on the state of the user's working tree."""
    import shutil

    ignore = shutil.ignore_patterns(
        "results", ".snakemake", ".venv", ".git", "__pycache__", ".pytest_cache", "*.egg-info"
    )
    shutil.copytree(REPO, dest, ignore=ignore)
    return dest
