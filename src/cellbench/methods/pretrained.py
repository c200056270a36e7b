"""Published pretrained baselines of cellulus Table 1 (paper 001, Section 5): StarDist, Cellpose.

The paper compares cellulus with "the pretrained models of STARDIST [22] and CELLPOSE [23]"
without naming them. We run StarDist's ``2D_versatile_fluo`` and Cellpose's ``cpsam``
(``methods.cellulus.pretrained``), unchanged, on the test images at their own resolution. These
are optional rules of the paper configuration: the libraries come from ``envs/pretrained.yaml``
(tensorflow for StarDist) and download their weights on first use, so nothing here is imported
unless a rule asks for it. Cellpose 3 models (``cyto2``, ``nuclei``, as in 2023) work too where
Cellpose 3 is installed; it needs numpy < 2.1, which the pinned environment cannot have.

Inputs: StarDist gets one grey channel (the image, or the mean of its channels), normalised by
its 1st and 99.8th percentiles as in StarDist's examples. Cellpose normalises itself and gets
the image as it is (Cellpose 4 reads up to three channels), or, with Cellpose 3, the channel
roles cytoplasm = membrane, nucleus = nucleus for two-channel TissueNet images and grey
otherwise. Object sizes: Cellpose's own estimate unless ``cellpose_diameter`` is set;
StarDist's training scale.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from skimage.segmentation import relabel_sequential

from cellbench.data.layout import PreparedDataset
from cellbench.device import select_device
from cellbench.methods.cellulus.config import PRETRAINED_TOOLS
from cellbench.methods.cellulus.data import normalise
from cellbench.methods.predict import split_image_ids, write_predictions
from cellbench.provenance import provenance

PERCENTILES = (1.0, 99.8)
INSTALL_HINT = "create envs/pretrained.yaml (snakemake --sdm conda) to run the pretrained baselines"

log = logging.getLogger(__name__)


def grey(image: np.ndarray) -> np.ndarray:
    """The image as one float32 channel: itself, or the mean of its channels (channels last)."""
    image = np.asarray(image, dtype=np.float32)
    return image if image.ndim == 2 else image.mean(axis=-1)


def cellpose_input(image: np.ndarray, channels: Sequence[str]) -> tuple[np.ndarray, list[int]]:
    """Image and Cellpose ``channels=[cytoplasm, nucleus]`` (1-based, 0 = grey/none)."""
    if image.ndim == 3 and {"membrane", "nucleus"} <= set(channels):
        return image, [channels.index("membrane") + 1, channels.index("nucleus") + 1]
    return grey(image), [0, 0]


def _sequential(labels: np.ndarray) -> np.ndarray:
    return relabel_sequential(np.asarray(labels).astype(np.int64))[0].astype(np.uint32)


class StarDistSegmenter:
    """A loaded ``stardist.models.StarDist2D``: ``predict_instances`` on the normalised grey image."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def segment(self, image: np.ndarray) -> np.ndarray:
        labels, _ = self.model.predict_instances(normalise(grey(image), *PERCENTILES)[0])
        return _sequential(labels)


class CellposeSegmenter:
    """A loaded Cellpose model (``major`` version 4: ``CellposeModel``; 3: ``Cellpose``)."""

    def __init__(
        self, model: Any, channels: Sequence[str], diameter: float = 0.0, major: int = 4
    ) -> None:
        self.model = model
        self.channels = tuple(channels)
        self.diameter = diameter
        self.major = major

    def segment(self, image: np.ndarray) -> np.ndarray:
        image = np.asarray(image, dtype=np.float32)
        options: dict[str, Any] = {"diameter": self.diameter or None}
        if self.major >= 4:
            data = image
        else:
            data, options["channels"] = cellpose_input(image, self.channels)
        options["channel_axis"] = -1 if data.ndim == 3 else None
        return _sequential(self.model.eval(data, **options)[0])


def tool_version(tool: str) -> str:
    """Installed version of ``tool`` (raises with the install hint when it is missing)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(tool)
    except PackageNotFoundError as error:
        raise RuntimeError(f"{tool} is not installed: {INSTALL_HINT}") from error


def load_stardist(model_name: str) -> StarDistSegmenter:
    """StarDist's pretrained ``model_name`` (downloads its weights once)."""
    try:
        from stardist.models import StarDist2D
    except ImportError as error:  # stardist without tensorflow cannot predict
        raise RuntimeError(
            f"StarDist prediction needs tensorflow ({error}): {INSTALL_HINT}"
        ) from error
    model = StarDist2D.from_pretrained(model_name)
    if model is None:
        raise ValueError(f"StarDist has no pretrained model {model_name!r}")
    return StarDistSegmenter(model)


def load_cellpose(
    model_name: str, channels: Sequence[str], diameter: float, gpu: bool
) -> CellposeSegmenter:
    """Cellpose's pretrained ``model_name`` (downloads its weights once)."""
    major = int(tool_version("cellpose").split(".")[0])
    from cellpose import models

    if major >= 4:
        model = models.CellposeModel(gpu=gpu, pretrained_model=model_name)
    else:  # Cellpose 3: the model with its size model
        model = models.Cellpose(gpu=gpu, model_type=model_name)
    return CellposeSegmenter(model, channels, diameter, major)


def predict_pretrained(
    tool: str,
    dataset_root: str | Path,
    out_dir: str | Path,
    *,
    model_name: str,
    diameter: float = 0.0,
    device: str = "auto",
    config_digest: str | None = None,
) -> list[Path]:
    """Segment the test images with a pretrained tool: ``out_dir/<image_id>.tif`` + provenance,
    written like every method's predictions (:func:`cellbench.methods.predict.write_predictions`).
    """
    if tool not in PRETRAINED_TOOLS:
        raise ValueError(f"unknown pretrained tool {tool!r}; known: {', '.join(PRETRAINED_TOOLS)}")
    dataset = PreparedDataset(dataset_root)
    image_ids = split_image_ids(dataset, "test")
    torch_device = select_device(device)
    if tool == "stardist":
        segmenter = load_stardist(model_name)
    else:
        segmenter = load_cellpose(
            model_name, dataset.info.channels, diameter, gpu=torch_device.type == "cuda"
        )
    log.info(
        "%s %s: segmenting %d test images of %s", tool, model_name, len(image_ids), dataset.name
    )
    record = {
        "method": tool,
        "dataset": dataset.name,
        "model": model_name,
        "tool_version": tool_version(tool),
        "scale": 1.0,
        "provenance": provenance(config_digest=config_digest, seed=None, device=str(torch_device)),
    }
    return write_predictions(segmenter, dataset, image_ids, out_dir, record)
