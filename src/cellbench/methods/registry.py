"""The segmentation methods, found by name: ``cellbench.methods.<name>`` for every package of
:func:`cellbench.methods.contract.discover_methods`.

Every method package provides ``load(model_path, device="auto")`` returning an object with
``segment(image) -> labels``; a segmenter that runs on torch names the device it loaded its
network on as ``device`` (the others run on the CPU).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

import numpy as np

from cellbench.methods.contract import discover_methods

METHODS: dict[str, str] = {name: f"cellbench.methods.{name}" for name in discover_methods()}


class Segmenter(Protocol):
    def segment(self, image: np.ndarray) -> np.ndarray: ...


def segmenter_device(segmenter: Segmenter) -> str:
    """Device a loaded segmenter runs on: its ``device`` attribute, else the CPU."""
    return str(getattr(segmenter, "device", "cpu"))


def load_segmenter(method: str, model_path: str | Path, device: str = "auto") -> Segmenter:
    """Load the trained model of ``method`` from ``model_path``."""
    if method not in METHODS:
        raise KeyError(f"unknown method {method!r}; known: {', '.join(sorted(METHODS))}")
    return importlib.import_module(METHODS[method]).load(model_path, device=device)
