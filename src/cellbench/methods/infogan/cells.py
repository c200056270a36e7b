"""Cells of a prepared dataset as crops + one table row each (paper 002 pipeline, Fig. 4a).

Cells come from the nuclei segmentation (paper) or from the dataset's instance labels
(synthetic data, whose ``objects.tsv`` gives each label's category); a dataset of cell crops
(domain ``cell-crops``: the authors' labelled dataset-A cells) is taken as is. Each row keeps
the image, label id, bounding box, split, the image's ``image_label`` (normal/abnormal, if any)
and the cell's category (if any), so labels can never drift from their crops.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.data.layout import CELL_CROPS, PreparedDataset
from cellbench.errors import InputError
from cellbench.io import atomic_dir
from cellbench.methods.contract import working_scale
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.crops import crop_cells, crop_table
from cellbench.methods.infogan.nuclei import NucleiSegmenter
from cellbench.methods.predict import rescale_image

log = logging.getLogger(__name__)


def dataset_cells(
    dataset: PreparedDataset, config: InfoganConfig
) -> tuple[np.ndarray, pd.DataFrame]:
    """Crops (N, S, S, 3) uint8 and the cell table of every image of ``dataset``.

    Images (and instance labels) are resized to the working scale first (the dataset's scale ×
    ``config.scale``), as the shared prediction code does; bounding boxes are at that scale.
    An image without any cell is logged and counted (``skipped`` in the table's attrs).
    """
    if dataset.info.domain == CELL_CROPS:
        return given_cells(dataset, config)
    scale = working_scale(dataset, config.scale)
    segmenter = NucleiSegmenter(config.segmentation)
    objects = dataset.objects()
    categories = {(r.image_id, int(r.label)): r.category for r in objects.itertuples()}
    crops, tables, skipped = [], [], []
    for image_id in dataset.image_ids():
        row = dataset.row(image_id)
        image = rescale_image(dataset.image(image_id), scale)
        if config.cells == "labels":
            labels = rescale_image(dataset.labels(image_id), scale, order=0)
        else:
            try:
                labels = segmenter.segment(image)
            except InputError as exc:
                raise InputError(dataset.image_path(image_id), exc.problem) from exc
        stack, rows = crop_cells(image, labels, config.crop_size)
        if not rows:
            log.warning("%s: no cell found, skipped", image_id)
            skipped.append(image_id)
            continue
        table = crop_table(image_id, rows)
        table["split"] = row["split"]
        table["image_label"] = row.get("image_label", "")
        if config.cells == "labels":
            table["category"] = [categories.get((image_id, int(lab)), "") for lab in table.label]
        else:
            table["category"] = ""
        crops.append(stack)
        tables.append(table)
    if not tables:
        raise InputError(dataset.root, "no cell found in any image")
    table = pd.concat(tables, ignore_index=True)
    table.attrs["skipped"] = skipped
    log.info("%d cells from %d images (%d skipped)", len(table), len(tables), len(skipped))
    return np.concatenate(crops), table


def given_cells(dataset: PreparedDataset, config: InfoganConfig) -> tuple[np.ndarray, pd.DataFrame]:
    """Crops and cell table of a ``cell-crops`` dataset: each image is one cell (label 1), used
    as given (no segmentation, no rescaling: ``cells`` and ``scale`` do not apply)."""
    ids = dataset.image_ids()
    crops = np.stack([dataset.image(i) for i in ids])
    size = config.crop_size
    if crops.shape[1:] != (size, size, 3) or crops.dtype != np.uint8:
        raise InputError(
            dataset.root,
            f"cell crops must be uint8 {size}x{size}x3 (crop_size {size}), "
            f"got {crops.dtype} {crops.shape[1:]}",
        )
    objects = dataset.objects()
    categories = dict(zip(objects["image_id"], objects["category"].astype(str), strict=True))
    index = dataset.index.set_index("image_id").loc[ids]
    table = crop_table("", [(1, 0, 0, size, size)] * len(ids)).assign(image_id=ids)
    table["split"] = index["split"].to_numpy()
    labels = index["image_label"] if "image_label" in index else pd.Series("", index=index.index)
    table["image_label"] = labels.fillna("").astype(str).to_numpy()
    table["category"] = [categories.get(i, "") for i in ids]
    table.attrs["skipped"] = []
    log.info("%d given cell crops, %d with a category", len(table), (table.category != "").sum())
    return crops, table


def write_cells(dataset_root: str | Path, out: str | Path, config: InfoganConfig) -> Path:
    """Write ``crops.npy`` and ``cells.tsv`` (one row per crop, same order) atomically."""
    crops, table = dataset_cells(PreparedDataset(dataset_root), config)
    with atomic_dir(out) as tmp:
        np.save(tmp / "crops.npy", crops)
        table.to_csv(tmp / "cells.tsv", sep="\t", index=False)
        (tmp / "skipped.txt").write_text("".join(f"{i}\n" for i in table.attrs["skipped"]))
    return Path(out)


def read_cells(folder: str | Path) -> tuple[np.ndarray, pd.DataFrame]:
    """Crops and table written by :func:`write_cells`; their lengths must agree."""
    folder = Path(folder)
    crops = np.load(folder / "crops.npy")
    table = pd.read_csv(
        folder / "cells.tsv", sep="\t", dtype={"image_id": str}, keep_default_na=False
    )
    if len(crops) != len(table):
        raise InputError(folder, f"{len(crops)} crops but {len(table)} table rows")
    return crops, table
