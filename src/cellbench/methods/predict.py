"""Apply a trained method to the test images of a prepared dataset (shared by all methods).

The prediction contract: a method's segmenter (``load(model_path).segment(image)``) returns labels
at the size of the image it is given and never rescales by itself. This module rescales: every
image of a dataset is segmented at :func:`working_scale` = the dataset's own scale
(``dataset.json``, e.g. CTC HU7 ×0.5) × the ``scale`` the rule passes (the method config's
``scale`` × the run's own factor, e.g. a cellulus Table 2 sweep run), and the labels are mapped
back to the original size (nearest neighbour), where the ground truth lives. Training code uses
the same :func:`working_scale`, so a network sees images at one scale in training and inference.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from skimage.transform import resize

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import atomic_dir, read_image, write_labels
from cellbench.methods.contract import working_scale
from cellbench.methods.registry import Segmenter, load_segmenter, segmenter_device
from cellbench.provenance import PROVENANCE_FILE, provenance

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


AXES = ("YX", "YXC", "CYX")
MAX_CHANNELS = 4


def check_scale(scale: float) -> float:
    """``scale`` as a float; :class:`InputError` unless it is finite and > 0."""
    value = float(scale)
    if not math.isfinite(value) or value <= 0:
        raise InputError(
            None,
            "scale (--scale, or the method's scale setting) must be a finite number > 0, "
            f"got {scale!r}",
        )
    return value


def image_for_segmentation(
    image: np.ndarray, source: str | Path | None = None, axes: str | None = None
) -> np.ndarray:
    """Check that ``image`` is one 2-D image and return it as (Y, X) or (Y, X, C).

    ``axes`` (``YX``, ``YXC`` or ``CYX``; the ``--axes`` option) states the axis order;
    without it a 3-D array must end in at most :data:`MAX_CHANNELS` channels. Stacks,
    4-D arrays, ambiguous channel-first arrays and non-finite values are refused, naming
    ``source``.
    """
    if axes is not None and axes not in AXES:
        raise InputError(None, f"--axes must be one of {', '.join(AXES)}, got {axes!r}")
    shape = tuple(image.shape)
    if image.dtype.kind not in "biuf":
        raise InputError(source, f"image has dtype {image.dtype}; expected integers or floats")
    if axes is not None and image.ndim != len(axes):
        raise InputError(source, f"image of shape {shape} does not have the axes {axes} (--axes)")
    if image.ndim == 3 and axes == "CYX":
        image = np.moveaxis(image, 0, -1)
    elif image.ndim == 3 and axes is None and shape[-1] > MAX_CHANNELS:
        kind = (
            f"channel-first (C, Y, X) or a stack of {shape[0]} planes"
            if shape[0] <= MAX_CHANNELS
            else f"a 3-D stack of {shape[0]} planes"
        )
        raise InputError(
            source,
            f"image of shape {shape} looks like {kind}: cellbench segments one 2-D image, (Y, X) or "
            f"channels-last (Y, X, C) with C <= {MAX_CHANNELS}. If the first axis holds "
            "channels, say so with --axes CYX; segment the planes of a stack one by one.",
        )
    elif image.ndim not in (2, 3):
        raise InputError(
            source,
            f"{image.ndim}-D image of shape {shape}: cellbench segments one 2-D image, (Y, X) "
            f"or channels-last (Y, X, C) with C <= {MAX_CHANNELS}",
        )
    if image.dtype.kind == "f":
        bad = int(np.count_nonzero(~np.isfinite(image)))
        if bad:
            raise InputError(source, f"image contains {bad} NaN or infinite value(s)")
    return image


def output_paths(images: Sequence[Path], out_dir: str | Path) -> list[Path]:
    """``out_dir/<stem>.tif`` for each image; refuses two images with one output and an
    output that is one of the inputs."""
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError(out_dir, "output folder (--out) exists and is not a folder")
    inputs = {Path(p).resolve(): Path(p) for p in images}
    claimed: dict[Path, Path] = {}
    outputs = []
    for path in map(Path, images):
        out = Path(out_dir) / f"{path.stem}.tif"
        key = out.resolve()
        if key in inputs:
            raise InputError(
                path,
                f"its label image {out} would overwrite the input {inputs[key]}: choose an "
                "output folder (--out) that holds none of the inputs",
            )
        if key in claimed:
            raise InputError(
                path,
                f"its label image {out} would also be written for {claimed[key]} (same file "
                "name): segment inputs with the same name in separate runs with different --out",
            )
        claimed[key] = path
        outputs.append(out)
    return outputs


def check_inputs(
    images: Sequence[Path], out_dir: str | Path, scale: float = 1.0, axes: str | None = None
) -> list[Path]:
    """Check scale, output names and every image before any work; return the output paths."""
    check_scale(scale)
    outputs = output_paths(images, out_dir)
    for path in images:
        image_for_segmentation(read_image(path), path, axes)
    return outputs


def segment_files(
    segmenter: Segmenter,
    images: Sequence[Path],
    out_dir: str | Path,
    scale: float = 1.0,
    axes: str | None = None,
) -> list[Path]:
    """Segment image files into ``out_dir/<stem>.tif`` (each file written atomically).

    Every input is checked (:func:`check_inputs`) before the first is segmented.
    """
    outputs = check_inputs(images, out_dir, scale, axes)
    for path, out in zip(images, outputs, strict=True):
        image = image_for_segmentation(read_image(path), path, axes)
        write_labels(out, segment_image(segmenter, image, scale))
    return outputs


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

    A segmenter with a ``diagnostics()`` method (health checks of the method, e.g. a failed
    foreground cue) has its result added to the record under ``diagnostics``; the evaluation
    summary carries it on. The directory appears only when complete.
    """
    with atomic_dir(out_dir) as tmp:
        segment_files(segmenter, [dataset.image_path(i) for i in image_ids], tmp, scale)
        diagnostics = getattr(segmenter, "diagnostics", None)
        if callable(diagnostics):
            record = {**record, "diagnostics": diagnostics()}
        (tmp / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return [Path(out_dir) / f"{i}.tif" for i in image_ids]


def predict_dataset(
    method: str,
    model_path: str | Path,
    dataset_root: str | Path,
    out_dir: str | Path,
    *,
    split: str = "test",
    scale: float = 1.0,
    device: str = "auto",
    seed: int | None = None,
    config_digest: str | None = None,
    threads: int | None = None,
) -> list[Path]:
    """Write ``out_dir/<image_id>.tif`` for every image of ``split``, plus ``provenance.json``.

    The directory appears only when complete. Images are segmented at
    :func:`working_scale` (the dataset's scale × ``scale``, the method config's scale × the run's
    factor); ground truth stays at scale 1, so labels are mapped back to the original image size.
    ``threads``: torch threads of a network segmenter (the job's); a classical one never
    imports torch.
    """
    dataset = PreparedDataset(dataset_root)
    image_ids = split_image_ids(dataset, split)
    scale = working_scale(dataset, check_scale(scale))
    segmenter = load_segmenter(method, model_path, device=device)
    if threads is not None and hasattr(segmenter, "device"):
        import torch

        torch.set_num_threads(max(1, int(threads)))
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
            config_digest=config_digest, seed=seed, device=segmenter_device(segmenter)
        ),
    }
    return write_predictions(segmenter, dataset, image_ids, out_dir, record, scale)
