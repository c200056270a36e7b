"""Image and label-image input/output with validation and atomic writes.

Every writer writes to a temporary sibling first and renames it into place, so an
interrupted job never leaves a file that looks complete.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import tifffile

from cellbench.errors import InputError

OUTPUT_MARKER = ".cellbench-output"
"""File that :func:`atomic_dir` leaves in every folder it writes: only such folders are replaced."""


def current_umask() -> int:
    """The process umask (read without changing it where ``/proc`` allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _apply_umask(path: Path, mode: int) -> None:
    """Give ``path`` the mode a plain ``open``/``mkdir`` would have (``tempfile`` uses 0600/0700)."""
    os.chmod(path, mode & ~current_umask())


def check_output_dir(path: str | Path, *, overwrite: bool = False) -> Path:
    """Refuse an output folder whose replacement could destroy files cellbench did not write.

    The current directory (or one of its parents) is never a valid output folder. A folder
    that exists, is not empty and has no :data:`OUTPUT_MARKER` is refused unless ``overwrite``.
    """
    path = Path(path)
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise InputError(
            path,
            "is the current directory or one of its parents: it would be replaced as a whole; "
            "name a new folder for the output (e.g. --out data/mine)",
        )
    if path.is_symlink():
        raise InputError(path, "is a symbolic link: refusing to replace it; name a real folder")
    if path.exists() and not path.is_dir():
        raise InputError(path, "exists and is not a folder: refusing to replace it")
    if (
        path.is_dir()
        and not overwrite
        and not (path / OUTPUT_MARKER).is_file()
        and any(path.iterdir())
    ):
        raise InputError(
            path,
            f"folder exists, is not empty and was not written by cellbench (no {OUTPUT_MARKER}); "
            "its contents would be replaced: choose another folder, or pass --overwrite",
        )
    return path


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` on success.

    The file gets the mode of a plain ``open`` (0666 less the umask), not tempfile's 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _apply_umask(tmp_path, 0o666)
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_json(path: str | Path, data: Any, default: Callable[[Any], Any] | None = None) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically (``default`` as in json.dumps)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=default) + "\n")
    return Path(path)


@contextmanager
def atomic_dir(path: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary directory next to ``path``; it replaces ``path`` on success.

    ``path`` is checked first (:func:`check_output_dir`). The new folder is written beside,
    marked with :data:`OUTPUT_MARKER`, and swapped in by two renames (old aside, new in); the
    old folder is deleted only after the new one is in place. Folder mode: 0777 less the umask.
    """
    path = check_output_dir(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    old = tmp.with_name(tmp.name[: -len(".part")] + ".old")
    try:
        yield tmp
        (tmp / OUTPUT_MARKER).write_text("written by cellbench; replaced as a whole on rerun\n")
        _apply_umask(tmp, 0o777)
        check_output_dir(path, overwrite=overwrite)  # unchanged while we were writing
        if path.exists():
            os.replace(path, old)
        try:
            os.replace(tmp, path)
        except OSError:
            if old.exists():
                os.replace(old, path)
            raise
    finally:
        for leftover in (tmp, old):
            if leftover.exists():
                shutil.rmtree(leftover)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def tifffile_problems() -> Iterator[list[str]]:
    """Collect tifffile's ERROR log records instead of printing them (raw and before ours)."""
    logger = logging.getLogger("tifffile")
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def read_image(path: str | Path) -> np.ndarray:
    """Read a TIFF/PNG/JPEG image; raise :class:`InputError` if missing, corrupt or truncated."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file does not exist")
    try:
        if path.suffix.lower() in (".tif", ".tiff"):
            with tifffile_problems() as problems:
                array = tifffile.imread(path)
            if problems:  # e.g. a truncated stack read as its first page
                raise ValueError(f"damaged TIFF: {problems[0]}")
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
