"""Entry points of the infogan rules (each rule script calls exactly one of these)."""

from __future__ import annotations

import json
import logging
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cellbench.device import select_device
from cellbench.errors import InputError
from cellbench.io import atomic_path, write_json
from cellbench.methods.infogan.cells import read_cells
from cellbench.methods.infogan.config import DnnConfig, InfoganConfig
from cellbench.methods.infogan.dnn import build_resnet50, resnet_features
from cellbench.methods.infogan.experiments import (
    cell_tables,
    feature_tables,
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
    device: str = "cpu",
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
    device = str(select_device(device))
    gen, critic, history = train(crops[train_mask], config, seed, monitor=monitor, device=device)
    return save(out, gen, critic, history, config, seed, config_digest=config_digest, device=device)


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


def dnn_features_run(
    cells: str | Path,
    out: str | Path,
    config: DnnConfig,
    *,
    seed: int,
    device: str = "auto",
    config_digest: str | None = None,
) -> Path:
    """ResNet-50 features of every cell (row order of the cell table) as ``out`` (.npz:
    ``features`` float32 (N, C) and ``record``, a JSON string with the settings and provenance).
    ``seed`` initialises the network only with ``weights: none``."""
    crops, table = read_cells(cells)
    torch_device = select_device(device)
    model = build_resnet50(config.weights, seed)
    start = time.perf_counter()
    features = resnet_features(
        model,
        crops,
        layer=config.layer,
        input_size=config.input_size,
        batch_size=config.batch_size,
        device=torch_device,
    )
    seconds = time.perf_counter() - start
    log.info("ResNet-50 %s features of %d cells in %.1f s", config.layer, len(table), seconds)
    record = {
        **config.to_dict(),
        "torchvision": version("torchvision"),
        "cells": len(table),
        "dim": features.shape[1],
        "seconds": round(seconds, 2),
        "provenance": provenance(config_digest=config_digest, seed=seed, device=str(torch_device)),
    }
    with atomic_path(out) as tmp, tmp.open("wb") as fh:
        np.savez(fh, features=features, record=np.array(json.dumps(record)))
    return Path(out)


def read_features(path: str | Path) -> tuple[np.ndarray, dict]:
    """Features and record written by :func:`dnn_features_run`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return data["features"], json.loads(str(data["record"]))
    except (OSError, KeyError, ValueError) as error:
        raise InputError(path, f"not a DNN features file ({error})") from error


def dnn_evaluate_run(
    cells: str | Path,
    features: str | Path,
    out: str | Path,
    *,
    seed: int,
    categories: int,
    config_digest: str | None = None,
) -> Path:
    """Table I (DNN + L2-SVM) and Table III (DNN + k-means, k = ``categories``) rows of one seed
    on held-out cells, as JSON; empty tables (and a warning) without cell categories."""
    _, table = read_cells(cells)
    x, record = read_features(features)
    if len(x) != len(table):
        raise InputError(features, f"{len(x)} feature rows for the {len(table)} cells of {cells}")
    result: dict[str, Any] = {"features": {k: v for k, v in record.items() if k != "provenance"}}
    if (table["category"].astype(str) != "").any():
        result.update(feature_tables(x, table, "DNN", categories, seed))
    else:
        log.warning("no cell categories: DNN rows of Tables I and III skipped")
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
