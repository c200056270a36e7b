"""Choice of compute device and seeding of every random number generator."""

from __future__ import annotations

import random
from contextlib import AbstractContextManager, nullcontext

import numpy as np
import torch


def select_device(requested: str = "auto") -> torch.device:
    """``auto`` → CUDA when available, else CPU; ``cpu``/``cuda[:n]`` are taken as given."""
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {requested!r} requested but CUDA is not available")
    return device


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and torch; return a NumPy generator derived from ``seed``.

    CPU results are bit-identical for the same seed; on CUDA, cuDNN is put into
    deterministic mode as far as torch allows.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - libraries that use the global state
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    return np.random.default_rng(seed)


def autocast(
    device: torch.device | str, enabled: bool, dtype: torch.dtype = torch.bfloat16
) -> AbstractContextManager:
    """Optional mixed precision: ``torch.autocast`` on a CUDA device when ``enabled``, else a no-op.

    CPU runs always compute in float32, so results on the CPU do not depend on the setting.
    bfloat16 (the default) keeps float32's exponent range, so no gradient scaler is needed.
    """
    device = torch.device(device)
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=dtype)
    return nullcontext()
