"""File search below a dataset folder that follows symbolic links.

Shared datasets are usually linked in (``stage1_train -> /shared/dsb/stage1_train``), but
``Path.rglob`` does not descend into linked folders (Python < 3.13). :func:`rglob` does,
visiting each real folder once so that a link cycle cannot loop.
"""

from __future__ import annotations

import os
from pathlib import Path


def walk(root: str | Path) -> list[Path]:
    """Every file and folder below ``root`` (not ``root`` itself), following links, sorted.

    Paths are reported through the links (``root/stage1_train/<id>/...``), not resolved.
    """
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        info = os.stat(dirpath)
        if (info.st_dev, info.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        base = Path(dirpath)
        found.extend(base / name for name in dirnames)
        found.extend(base / name for name in filenames)
    return sorted(found)


def rglob(root: str | Path, pattern: str) -> list[Path]:
    """Paths below ``root`` matching ``pattern`` from the right (like ``Path.rglob``), sorted."""
    return [path for path in walk(root) if path.match(pattern)]
