"""Bone-marrow dataset A of paper 002 (Kainz et al. 2015, "BM_GRAZ").

Published in the authors' GitHub repository ``pkainz/MICCAI2015`` (``data/BM_GRAZ/``; the
datasets file downloads the archive of a pinned commit). Expected input (docs/datasets.md), the
published layout: a folder holding ``source/`` (the images ``*.png|*.tif|*.jpg|*.bmp``) and
``annotations/`` (nucleus dots ``<stem>.txt``: a header ``<count> 3 0``, then one ``x y label``
row per nucleus centre, 0-based pixels), found anywhere below the given root (the root itself,
``data/BM_GRAZ/`` of the repository, or that below an archive's top folder). Optional beside
them: instance labels ``labels/<stem>.tif``, ``objects.tsv`` (image_id, label, category) and
``images.tsv`` (image_id, image_label: normal/abnormal, split). Everything else (the
repository's code, the distance-transform ``target/`` images, the annotation PNGs, its inner
zip) is ignored. Without such a folder, images anywhere outside ``labels/`` and
``annotations/`` folders are taken, with their dots where present.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.data.sources.files import rglob, walk
from cellbench.errors import InputError

SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp")


@dataclass(frozen=True)
class MarrowSource:
    """Where dataset A's files are: the given ``root``, ``base`` (the folder holding
    ``source/``, else ``root``), the images, and each image's dot file (None: no dots)."""

    root: Path
    base: Path
    images: list[Path]
    dots: dict[Path, Path | None]

    def optional(self, name: str) -> Path:
        """An optional file or folder (``images.tsv``, ``labels``): in ``base``, else ``root``."""
        return self.base / name if (self.base / name).exists() else self.root / name


def find_base(root: Path) -> Path | None:
    """The one folder at or below ``root`` holding both ``source/`` and ``annotations/``.

    None if there is none; an :class:`InputError` if there are several (their images would
    be mixed).
    """
    root = Path(root)
    candidates = sorted(
        {
            path.parent
            for path in walk(root)
            if path.name == "source" and path.is_dir() and (path.parent / "annotations").is_dir()
        }
    )
    if len(candidates) > 1:
        raise InputError(
            root,
            "several bone-marrow folders with source/ and annotations/ "
            f"({', '.join(str(c) for c in candidates)}): pass one of them as the source",
        )
    return candidates[0] if candidates else None


def _images(folder: Path, exclude: set[str]) -> list[Path]:
    return sorted(
        p
        for p in rglob(folder, "*")
        if p.suffix.lower() in SUFFIXES and not exclude & set(p.parts) and p.is_file()
    )


def find_source(root: Path) -> MarrowSource:
    """Locate the images and their dot files below ``root`` (module docstring).

    Raises :class:`InputError` naming the file for: no image, two images with one stem, an
    image without its ``annotations/<stem>.txt`` once the source has dots (or an
    ``annotations/`` folder), and, in the published layout, a dot file without its image.
    """
    root = Path(root)
    base = find_base(root)
    if base is None:
        images = _images(root, {"labels", "annotations"})
        dots = {path: find_dots(root, path) for path in images}
        needs_dots = any(dots.values())
    else:
        images = _images(base / "source", set())
        expected = {path: base / "annotations" / f"{path.stem}.txt" for path in images}
        dots = {path: (file if file.is_file() else None) for path, file in expected.items()}
        needs_dots = True
    if not images:
        raise InputError(
            base / "source" if base else root,
            "no bone-marrow images found (see docs/datasets.md, marrow-a)",
        )
    seen: dict[str, Path] = {}
    for path in images:
        if path.stem in seen:
            raise InputError(path, f"two images with the id {path.stem!r} (also {seen[path.stem]})")
        seen[path.stem] = path
    if needs_dots:
        for path, txt in dots.items():
            if txt is None:
                raise InputError(
                    (base or root) / "annotations" / f"{path.stem}.txt",
                    f"dot annotations missing for image {path} (every image needs its "
                    "annotations/<stem>.txt in a source with dots)",
                )
    if base is not None:
        for txt in sorted((base / "annotations").glob("*.txt")):
            if txt.stem not in seen:
                raise InputError(
                    txt, f"dot annotations without an image {txt.stem}.* in {base / 'source'}"
                )
    return MarrowSource(root, base if base is not None else root, images, dots)


def read_table(path: Path) -> pd.DataFrame | None:
    """An optional TSV table (None if absent)."""
    return pd.read_csv(path, sep="\t", dtype={"image_id": str}) if path.is_file() else None


def find_dots(root: Path, image: Path) -> Path | None:
    """The dot file ``annotations/<stem>.txt`` of an image (beside or above it), or None."""
    for folder in (image.parent, image.parent.parent, root):
        path = folder / "annotations" / f"{image.stem}.txt"
        if path.is_file():
            return path
    return None


def read_dots(path: Path, shape: tuple[int, int]) -> np.ndarray:
    """Nucleus centres (N, 2) = (y, x) of a BM_GRAZ annotation file, checked against ``shape``.

    Format (Kainz et al. 2015 release): first line ``<count> 3 0``, then ``count`` rows
    ``x y label`` in 0-based pixel coordinates; the label column is not used.
    """
    try:
        lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be read as a dot annotation file ({exc})") from exc
    if not lines or len(lines[0]) != 3:
        raise InputError(path, "expected a first line '<count> 3 0' (BM_GRAZ dot annotations)")
    try:
        count = int(lines[0][0])
        rows = np.array([[int(v) for v in line] for line in lines[1:]], dtype=np.int64)
    except ValueError as exc:
        raise InputError(path, f"non-integer value in the dot annotations ({exc})") from exc
    if any(len(line) != 3 for line in lines[1:]):
        bad = next(i for i, line in enumerate(lines[1:], start=2) if len(line) != 3)
        raise InputError(path, f"line {bad}: expected 'x y label'")
    if len(rows) != count:
        raise InputError(path, f"header announces {count} dots, the file has {len(rows)}")
    dots = rows.reshape(-1, 3)[:, [1, 0]]
    outside = (dots < 0).any(axis=1) | (dots[:, 0] >= shape[0]) | (dots[:, 1] >= shape[1])
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise InputError(
            path,
            f"{int(outside.sum())} dot(s) outside the {shape[1]}x{shape[0]} image "
            f"(first: line {first + 2}, x={dots[first, 1]} y={dots[first, 0]})",
        )
    return dots


def default_test(images: list[Path], seed: int) -> set[str]:
    """Test image stems when ``images.tsv`` gives no split: 20 % (at least 1) drawn with ``seed``
    (a single image is a test image: there is nothing to train on anyway).

    Dataset A has no official split; ``images.tsv`` with a ``split`` column overrides this.
    """
    if len(images) < 2:
        return {path.stem for path in images}
    rng = np.random.default_rng(seed)
    n_test = max(1, round(0.2 * len(images)))
    return {images[int(i)].stem for i in rng.choice(len(images), size=n_test, replace=False)}
