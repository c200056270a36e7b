"""Model files of contrastive and its supervised CNN baseline (torch.save, atomic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from cellbench.errors import InputError
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
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "model file does not exist")
    try:
        record = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise InputError(path, f"cannot be read as a checkpoint ({exc})") from exc
    if not isinstance(record, dict) or record.get("kind") not in kinds:
        raise InputError(path, f"not a contrastive {' or '.join(kinds)} checkpoint")
    return record


def build_network(record: dict[str, Any]) -> ConfidenceNetwork:
    """The network described by a checkpoint, with its weights, in eval mode."""
    arch = record["architecture"]
    model = ConfidenceNetwork(
        arch["in_channels"], arch["channels"], arch["width"], arch["dilations"]
    )
    model.load_state_dict(record["state_dict"])
    return model.eval()
