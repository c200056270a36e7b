"""spoco clustering of stored embeddings (App. A.4) into label images, without torch: the
pipeline's ``spoco_predict`` jobs cluster the files that ``spoco_embed`` wrote."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import atomic_dir, write_labels
from cellbench.methods.contract import working_scale
from cellbench.methods.predict import rescale_image, restore_labels, split_image_ids
from cellbench.methods.spoco import clustering
from cellbench.methods.spoco.config import SpocoConfig
from cellbench.provenance import PROVENANCE_FILE, provenance

log = logging.getLogger(__name__)


def cluster(
    f: np.ndarray,
    g: np.ndarray,
    cfg: SpocoConfig,
    method: str,
    foreground: np.ndarray | None,
    seed: int = 0,
) -> np.ndarray:
    """Labels of one embedding image by ``method`` (hdbscan, meanshift, consistency, mws)."""
    if method == "hdbscan":
        return clustering.cluster_hdbscan(
            f,
            foreground,
            min_cluster_size=cfg.min_cluster_size,
            epsilon=cfg.delta_v,
            max_pixels=cfg.max_pixels,
            seed=seed,
        )
    if method == "meanshift":
        return clustering.cluster_meanshift(
            f, foreground, bandwidth=cfg.delta_v, max_pixels=cfg.max_pixels, seed=seed
        )
    if method == "consistency":
        return clustering.cluster_consistency(
            f,
            g,
            foreground,
            delta_v=cfg.delta_v,
            n_anchors=cfg.consistency_anchors,
            min_iou=cfg.consistency_iou,
            max_pixels=cfg.max_pixels,
            seed=seed,
        )
    if method == "mws":
        return clustering.cluster_mws(
            f,
            foreground,
            delta_d=cfg.delta_d,
            long_range=tuple(cfg.mws_offsets),
            min_size=cfg.min_size,
        )
    raise ValueError(f"unknown spoco clustering {method!r}")


def read_embeddings(path: Path, shape: tuple[int, int], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(f, g) of one embedding file; an error naming the file unless both are (dim, *shape)."""
    try:
        with np.load(path) as data:
            f, g = data["f"].astype(np.float32), data["g"].astype(np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"not a spoco embedding file ({exc})") from exc
    for name, arr in (("f", f), ("g", g)):
        if arr.shape != (dim, *shape):
            raise InputError(
                path, f"embedding {name} has shape {arr.shape}, expected {(dim, *shape)}"
            )
    return f, g


def embeddings_config(
    embeddings_dir: Path, inference: dict | None = None
) -> tuple[SpocoConfig, int]:
    """(model config with the ``inference`` keys applied, seed) of an embeddings directory."""
    path = embeddings_dir / PROVENANCE_FILE
    try:
        record = json.loads(path.read_text())
        cfg = SpocoConfig.model_validate({**record["config"], **(inference or {})})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not a spoco embeddings record ({exc})") from exc
    return cfg, int(record["seed"])


def cluster_dataset(
    embeddings_dir: str | Path,
    dataset_root: str | Path,
    out_dir: str | Path,
    method: str,
    foreground: str,
    inference: dict | None = None,
    *,
    split: str = "test",
    config_digest: str | None = None,
) -> list[Path]:
    """Cluster every embedding file into ``out_dir/<image_id>.tif`` labels at the image's size.

    ``foreground``: ``none`` (largest cluster = background) or ``gt`` (GT foreground mask);
    ``inference``: clustering keys overriding the model's config. Clustering time per image is
    recorded in ``timings.json``.
    """
    embeddings_dir = Path(embeddings_dir)
    cfg, seed = embeddings_config(embeddings_dir, inference)
    dataset = PreparedDataset(dataset_root)
    ids = split_image_ids(dataset, split)
    scale = working_scale(dataset, cfg.scale)
    shapes = {}
    for image_id in ids:  # validate every file before any clustering
        row = dataset.row(image_id)
        scaled = rescale_image(
            np.zeros((int(row["height"]), int(row["width"])), np.uint8), scale
        ).shape
        path = embeddings_dir / f"{image_id}.npz"
        if not path.is_file():
            raise InputError(path, "embedding file missing")
        read_embeddings(path, scaled, cfg.embedding_dim)
        shapes[image_id] = ((int(row["height"]), int(row["width"])), scaled)
    timings = {}
    with atomic_dir(out_dir) as tmp:
        for image_id in ids:
            full, scaled = shapes[image_id]
            f, g = read_embeddings(embeddings_dir / f"{image_id}.npz", scaled, cfg.embedding_dim)
            mask = None
            if foreground == "gt":
                mask = rescale_image(dataset.labels(image_id), scale, order=0) > 0
            start = time.perf_counter()
            labels = cluster(f, g, cfg, method, mask, seed)
            timings[image_id] = time.perf_counter() - start
            write_labels(tmp / f"{image_id}.tif", restore_labels(labels, full))
        log.info("%s: %.2f s per image", method, float(np.mean(list(timings.values()))))
        (tmp / "timings.json").write_text(
            json.dumps({"method": method, "seconds": timings}, indent=1) + "\n"
        )
        record = {
            "method": "spoco",
            "clustering": method,
            "foreground": foreground,
            "dataset": dataset.name,
            "embeddings": str(embeddings_dir),
            "scale": scale,
            "provenance": provenance(config_digest=config_digest, seed=seed, device="cpu"),
        }
        (tmp / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return [Path(out_dir) / f"{i}.tif" for i in ids]
