"""Model files of contrastive and its supervised CNN baseline (torch.save, atomic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from cellbench.checkpoints import read_checkpoint
from cellbench.io import atomic_path
from cellbench.methods.contrastive.model import ConfidenceNetwork


def save_checkpoint(path: str | Path, record: dict[str, Any]) -> Path:
    """Write ``record`` (state_dict, architecture, selection, history, provenance)."""
    with atomic_path(path) as tmp:
        torch.save(record, tmp)
    return Path(path)


def load_checkpoint(path: str | Path, kind: str | tuple[str, ...]) -> dict[str, Any]:
    """Read a checkpoint and check that it holds a model of ``kind`` (csl or cnn, or either)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    return read_checkpoint(
        path, f"contrastive {' or '.join(kinds)} checkpoint", markers={"kind": kinds}
    )


def build_network(record: dict[str, Any]) -> ConfidenceNetwork:
    """The network described by a checkpoint, with its weights, in eval mode."""
    arch = record["architecture"]
    model = ConfidenceNetwork(
        arch["in_channels"],
        arch["channels"],
        arch["width"],
        arch["dilations"],
        arch["norm_statistics"],
    )
    model.load_state_dict(record["state_dict"])
    return model.eval()
