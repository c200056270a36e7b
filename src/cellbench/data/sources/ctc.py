"""Cell Tracking Challenge 2-D training sets (``01/t000.tif``, ``01_GT/SEG/man_seg000.tif``).

Sequence 01 trains (every frame; ``has_labels`` where ``man_seg`` exists), sequence 02 is
held out (only frames with ``man_seg``); :func:`missing_parts` lists what an incomplete
folder lacks. A ``man_seg`` frame is flagged ``partial`` when a
cell of the complete tracking markers (``01_GT/TRA/man_track000.tif``) overlaps no
segmented object, i.e. the segmentation annotates only some cells of that frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from skimage.segmentation import relabel_sequential

from cellbench.data.sources.files import rglob
from cellbench.errors import InputError
from cellbench.io import read_image

FRAME = re.compile(r"^t(\d+)\.tif$")


@dataclass(frozen=True)
class Frame:
    sequence: str
    frame: int
    image: Path
    seg: Path | None
    tra: Path | None


def find_root(root: Path) -> Path:
    """The folder holding ``01/`` and ``01_GT/`` (the zip wraps it in the dataset's name)."""
    for candidate in [root, *sorted(p.parent for p in rglob(root, "01_GT"))]:
        if (candidate / "01").is_dir():
            return candidate
    raise InputError(root, "no CTC sequence folder 01/ with 01_GT/ found below this folder")


def frames(root: Path) -> Iterator[Frame]:
    """Every frame of sequences 01 and 02 with its SEG/TRA ground truth paths."""
    base = find_root(root)
    for sequence in ("01", "02"):
        folder = base / sequence
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("t*.tif")):
            match = FRAME.match(path.name)
            if not match:
                continue
            digits = match.group(1)
            seg = base / f"{sequence}_GT" / "SEG" / f"man_seg{digits}.tif"
            tra = base / f"{sequence}_GT" / "TRA" / f"man_track{digits}.tif"
            yield Frame(
                sequence,
                int(digits),
                path,
                seg if seg.is_file() else None,
                tra if tra.is_file() else None,
            )


def missing_parts(root: Path) -> list[str]:
    """What the folder lacks of a complete CTC training set (empty if nothing; relative paths).

    Both sequences ``01/`` and ``02/`` (held out for testing) with frames, their
    ``<seq>_GT/SEG`` segmentations for some of those frames, and ``<seq>_GT/TRA``
    (needed to flag partially annotated frames).
    """
    base = find_root(root)
    missing = []
    for sequence in ("01", "02"):
        images = sorted((base / sequence).glob("t*.tif")) if (base / sequence).is_dir() else []
        if not images:
            missing.append(f"{sequence}/ is missing or has no t*.tif frames")
            continue
        seg = base / f"{sequence}_GT" / "SEG"
        if not seg.is_dir():
            missing.append(f"{sequence}_GT/SEG/ (ground truth of sequence {sequence}) is missing")
        elif not any((seg / f"man_seg{p.stem[1:]}.tif").is_file() for p in images):
            missing.append(f"{sequence}_GT/SEG/ has no man_seg*.tif for the frames of {sequence}/")
        if not (base / f"{sequence}_GT" / "TRA").is_dir():
            missing.append(
                f"{sequence}_GT/TRA/ (needed to flag partially annotated frames) is missing"
            )
    return missing


def is_partial(seg: np.ndarray, tra: np.ndarray | None) -> bool:
    """True if some tracking marker overlaps no segmented object."""
    if tra is None:
        return False
    markers = np.unique(tra[tra > 0])
    covered = np.unique(tra[(tra > 0) & (seg > 0)])
    return bool(np.setdiff1d(markers, covered).size)


def load_seg(path: Path) -> np.ndarray:
    """SEG ground truth as consecutive uint16/uint32 labels."""
    seg = read_image(path)
    if seg.ndim != 2:
        raise InputError(path, f"expected a 2-D label image, got shape {seg.shape}")
    labels = relabel_sequential(seg.astype(np.int64))[0]
    return labels.astype(np.uint16 if labels.max() < 65535 else np.uint32)
