"""Shared figure style and atomic saving of PNG + PDF."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from cellbench.io import atomic_path


def save_figure(figure: plt.Figure, png: str | Path, pdf: str | Path | None = None) -> None:
    """Save ``figure`` as PNG (150 dpi) and optionally PDF, atomically, then close it."""
    for path, kwargs in ((png, {"dpi": 150, "format": "png"}), (pdf, {"format": "pdf"})):
        if path is None:
            continue
        with atomic_path(path) as tmp:
            figure.savefig(tmp, bbox_inches="tight", **kwargs)
    plt.close(figure)
