"""Apply a trained method to the test images of a prepared dataset (shared by all methods)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from skimage.transform import resize

from cellbench.data.layout import PreparedDataset
from cellbench.device import select_device
from cellbench.errors import InputError
from cellbench.io import atomic_dir, read_image, write_labels
from cellbench.methods.registry import Segmenter, load_segmenter
from cellbench.provenance import provenance

PROVENANCE_FILE = "provenance.json"

log = logging.getLogger(__name__)


def rescale_image(image: np.ndarray, scale: float, order: int = 1) -> np.ndarray:
    """Resize height and width by ``scale``, dtype kept (linear; labels: ``order=0``)."""
    if scale == 1.0:
        return image
    shape = (max(1, round(image.shape[0] * scale)), max(1, round(image.shape[1] * scale)))
    resized = resize(
        image,
        shape + image.shape[2:],
        order=order,
        preserve_range=True,
        anti_aliasing=order > 0 and scale < 1,
    )
    return resized.astype(image.dtype)


def restore_labels(labels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Map labels predicted at another scale back to ``shape`` (nearest neighbour)."""
    if labels.shape == shape:
        return labels
    return resize(labels, shape, order=0, preserve_range=True, anti_aliasing=False).astype(
        labels.dtype
    )


def segment_image(segmenter: Segmenter, image: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Segment one image at ``scale`` and return labels at the image's own size."""
    scaled = rescale_image(image, scale)
    labels = np.asarray(segmenter.segment(scaled))
    if labels.shape != scaled.shape[:2]:
        raise InputError(
            None, f"method returned labels of shape {labels.shape} for image {scaled.shape}"
        )
    return restore_labels(labels, image.shape[:2])


def segment_files(
    segmenter: Segmenter, images: Iterable[Path], out_dir: str | Path, scale: float = 1.0
) -> list[Path]:
    """Segment image files into ``out_dir/<stem>.tif`` (each file written atomically)."""
    written = []
    for path in images:
        labels = segment_image(segmenter, read_image(path), scale)
        written.append(write_labels(Path(out_dir) / f"{Path(path).stem}.tif", labels))
    return written


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def split_image_ids(dataset: PreparedDataset, split: str) -> list[str]:
    """Image ids of ``split``; an error naming the index when there are none."""
    image_ids = dataset.image_ids(split=split)
    if not image_ids:
        raise InputError(dataset.root / "index.tsv", f"no images in split {split!r}")
    return image_ids


def write_predictions(
    segmenter: Segmenter,
    dataset: PreparedDataset,
    image_ids: Sequence[str],
    out_dir: str | Path,
    record: dict[str, Any],
    scale: float = 1.0,
) -> list[Path]:
    """Segment the images into ``out_dir/<image_id>.tif`` plus ``provenance.json`` (``record``).

    The directory appears only when complete.
    """
    with atomic_dir(out_dir) as tmp:
        segment_files(segmenter, [dataset.image_path(i) for i in image_ids], tmp, scale)
        (tmp / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return [Path(out_dir) / f"{i}.tif" for i in image_ids]


def predict_dataset(
    method: str,
    model_path: str | Path,
    dataset_root: str | Path,
    out_dir: str | Path,
    *,
    split: str = "test",
    scale: float | None = None,
    device: str = "auto",
    seed: int | None = None,
    config_digest: str | None = None,
) -> list[Path]:
    """Write ``out_dir/<image_id>.tif`` for every image of ``split``, plus ``provenance.json``.

    The directory appears only when complete. ``scale`` defaults to the dataset's own scale factor (``dataset.json``); ground truth
    stays at scale 1, so labels are mapped back to the original image size.
    """
    dataset = PreparedDataset(dataset_root)
    image_ids = split_image_ids(dataset, split)
    scale = dataset.info.scale if scale is None else scale
    segmenter = load_segmenter(method, model_path, device=device)
    log.info(
        "%s: segmenting %d %s images of %s at scale %g",
        method,
        len(image_ids),
        split,
        dataset.name,
        scale,
    )
    record = {
        "method": method,
        "dataset": dataset.name,
        "model": str(model_path),
        "model_sha256": file_sha256(model_path),
        "scale": scale,
        "provenance": provenance(
            config_digest=config_digest, seed=seed, device=str(select_device(device))
        ),
        # Method-specific checks of the model (e.g. deepng's "finds no object" flag).
        **getattr(segmenter, "provenance", {}),
    }
    return write_predictions(segmenter, dataset, image_ids, out_dir, record, scale)
