"""Image and label-image input/output with validation and atomic writes.

Every writer writes to a temporary sibling first and renames it into place, so an
interrupted job never leaves a file that looks complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import tifffile

from cellbench.errors import InputError


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Yield a temporary directory next to ``path``; it replaces ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def read_image(path: str | Path) -> np.ndarray:
    """Read a TIFF/PNG/JPEG image; raise :class:`InputError` if missing, corrupt or truncated."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file does not exist")
    try:
        if path.suffix.lower() in (".tif", ".tiff"):
            array = tifffile.imread(path)
        else:
            import skimage.io

            array = skimage.io.imread(path)
    except Exception as exc:  # any decoder failure means the file is unusable
        raise InputError(path, f"cannot be read as an image ({type(exc).__name__}: {exc})") from exc
    array = np.asarray(array)
    if array.size == 0:
        raise InputError(path, "image is empty")
    return array


def validate_labels(labels: np.ndarray, source: str | Path | None = None) -> np.ndarray:
    """Check that ``labels`` is a 2-D integer instance-label image (background 0)."""
    if labels.ndim != 2:
        raise InputError(source, f"label image must be 2-D, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise InputError(source, f"label image must have an integer dtype, got {labels.dtype}")
    if np.issubdtype(labels.dtype, np.signedinteger) and labels.size and labels.min() < 0:
        raise InputError(source, "label image contains negative labels")
    return labels


def read_labels(path: str | Path) -> np.ndarray:
    """Read and validate an instance-label image."""
    return validate_labels(read_image(path), path)


def label_dtype(max_label: int) -> np.dtype:
    """uint16 unless the label count needs uint32."""
    if max_label <= np.iinfo(np.uint16).max:
        return np.dtype(np.uint16)
    if max_label <= np.iinfo(np.uint32).max:
        return np.dtype(np.uint32)
    raise ValueError(f"{max_label} labels do not fit into uint32")


def write_labels(path: str | Path, labels: np.ndarray) -> Path:
    """Write a label image as a compressed uint16 (uint32 if needed) TIFF, atomically."""
    labels = validate_labels(np.asarray(labels), path)
    max_label = int(labels.max()) if labels.size else 0
    out = labels.astype(label_dtype(max_label), copy=False)
    with atomic_path(path) as tmp:
        tifffile.imwrite(tmp, out, compression="zlib")
    return Path(path)


def write_image(path: str | Path, image: np.ndarray) -> Path:
    """Write an image (2-D grey or H×W×C) as a compressed TIFF, atomically."""
    image = np.asarray(image)
    photometric = "rgb" if image.ndim == 3 and image.shape[-1] == 3 else "minisblack"
    with atomic_path(path) as tmp:
        tifffile.imwrite(tmp, image, compression="zlib", photometric=photometric)
    return Path(path)
