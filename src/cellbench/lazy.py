"""Lazy package exports: heavy submodules (torch) are imported on first attribute access, so
that the workflow can import a method's light helpers (its ``runs`` module) quickly."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """Module ``__getattr__`` that imports ``package.<exports[name]>`` when ``name`` is used."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)

    return __getattr__
