"""Entry points of the infogan rules (each rule script calls exactly one of these)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cellbench.errors import InputError
from cellbench.io import write_json
from cellbench.methods.infogan.cells import read_cells
from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.experiments import (
    cell_tables,
    image_table,
    proportions,
    q_clustering_row,
    two_image_classes,
)
from cellbench.methods.infogan.train import load_model, q_assign, save, train
from cellbench.provenance import provenance

log = logging.getLogger(__name__)


def train_run(
    cells: str | Path,
    out: str | Path,
    config: InfoganConfig,
    *,
    seed: int,
    categories: int,
    config_digest: str | None = None,
) -> Path:
    """Train on the cells of the training images (never the test images) and save model.pt."""
    crops, table = read_cells(cells)
    train_mask = (table["split"] != "test").to_numpy()
    if not train_mask.any():
        raise InputError(cells, "no cells from training images")
    config = config.model_copy(update={"categories": categories})
    monitor = None
    classes = table["category"].astype(str).to_numpy()
    if (classes[train_mask] != "").all():
        monitor = (crops[train_mask], classes[train_mask])
    gen, critic, history = train(crops[train_mask], config, seed, monitor=monitor)
    return save(out, gen, critic, history, config, seed, config_digest=config_digest)


def evaluate_run(
    cells: str | Path,
    models: dict[int, str],
    out: str | Path,
    *,
    seed: int,
    categories: int,
    folds: int,
    config_digest: str | None = None,
) -> Path:
    """Tables I–IV numbers of one seed as JSON (Table II: one row per k in ``models``)."""
    crops, table = read_cells(cells)
    _, critic, _, record = load_model(models[categories])
    result: dict[str, Any] = {
        "protocol": "held-out cells: models fitted on training images' cells, scored on test "
        "images' cells; Table IV: stratified k-fold over images",
        "cells": len(table),
        "history": record["history"],
    }
    has_categories = (table["category"].astype(str) != "").any()
    if has_categories:
        result.update(cell_tables(crops, table, critic, categories, seed))
        result["table2"] = []
        for k, path in sorted(models.items()):
            _, critic_k, _, _ = load_model(path)
            row = q_clustering_row(crops, table, critic_k)
            result["table2"].append({"k": k, **row})
    else:
        log.warning("no cell categories: Tables I-III skipped (see docs/datasets.md)")
    image_labels = table["image_label"].astype(str)
    if two_image_classes(image_labels):
        props = proportions(table, q_assign(critic, crops), categories)
        result["table4"] = image_table(props, folds, seed)
        result["proportions"] = props.reset_index().to_dict(orient="list")
    else:
        log.warning(
            "Table IV skipped: it needs normal and abnormal image labels on every image "
            "(found: %s)",
            sorted(set(image_labels)),
        )
    result["provenance"] = provenance(config_digest=config_digest, seed=seed, device="cpu")
    return write_json(out, result, default=float)


@torch.no_grad()
def generator_grid(model: str | Path, rows: int, seed: int) -> np.ndarray:
    """Fig. 5 grid uint8 (rows·S, k·S, 3): rows = fixed z, columns = category c."""
    gen, _, config, _ = load_model(model)
    z = torch.randn(rows, config.noise_dim, generator=torch.Generator().manual_seed(seed))
    k = config.categories
    code = torch.cat(
        [torch.eye(k).repeat(rows, 1), z.repeat_interleave(k, dim=0)], dim=1
    )  # row-major: (z0,c0), (z0,c1), ...
    images = ((gen(code) + 1) * 127.5).clamp(0, 255).byte().permute(0, 2, 3, 1).numpy()
    s = config.crop_size
    return images.reshape(rows, k, s, s, 3).transpose(0, 2, 1, 3, 4).reshape(rows * s, k * s, 3)
