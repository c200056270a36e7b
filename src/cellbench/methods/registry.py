"""Names of the segmentation methods and the modules that implement them.

Every module provides ``load(model_path, device="auto")`` returning an object with
``segment(image) -> labels``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

import numpy as np

METHODS: dict[str, str] = {
    "cellulus": "cellbench.methods.cellulus",
    "deepng": "cellbench.methods.deepng",
    "otsu_watershed": "cellbench.methods.otsu_watershed",
    "spoco": "cellbench.methods.spoco",
}


class Segmenter(Protocol):
    def segment(self, image: np.ndarray) -> np.ndarray: ...


def load_segmenter(method: str, model_path: str | Path, device: str = "auto") -> Segmenter:
    """Load the trained model of ``method`` from ``model_path``."""
    if method not in METHODS:
        raise KeyError(f"unknown method {method!r}; known: {', '.join(sorted(METHODS))}")
    return importlib.import_module(METHODS[method]).load(model_path, device=device)
