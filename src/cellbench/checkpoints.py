"""Reading the torch model files every method writes, with one set of checks.

A model file that is missing, unreadable (truncated, not a torch file), not a dictionary, or
written by another method is an :class:`~cellbench.errors.InputError` naming the file, before any
network is built from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch

from cellbench.errors import InputError


def read_checkpoint(
    path: str | Path,
    what: str,
    *,
    keys: Iterable[str] = (),
    markers: Mapping[str, Iterable[Any]] | None = None,
    weights_only: bool = False,
) -> dict[str, Any]:
    """The dictionary saved at ``path`` (on the CPU).

    ``what`` names the expected file in messages (e.g. "cellulus checkpoint"); every key of
    ``keys`` must be present and every ``markers`` key must hold one of its allowed values (e.g.
    ``{"method": ["deepng"]}``). ``weights_only`` is passed to :func:`torch.load`.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"{what} does not exist")
    try:
        record = torch.load(path, map_location="cpu", weights_only=weights_only)
    except Exception as exc:
        raise InputError(path, f"cannot be read as a {what} ({exc})") from exc
    if not isinstance(record, dict):
        raise InputError(path, f"not a {what} (no dictionary inside)")
    missing = [key for key in keys if key not in record]
    if missing:
        raise InputError(path, f"not a {what} (keys {', '.join(missing)} missing)")
    for key, allowed in (markers or {}).items():
        allowed = list(allowed)
        if record.get(key) not in allowed:
            raise InputError(
                path, f"not a {what} ({key} is {record.get(key)!r}, expected one of {allowed})"
            )
    return record
