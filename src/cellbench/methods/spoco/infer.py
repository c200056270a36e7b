"""spoco inference: embeddings of f (and of g on a photometrically perturbed copy, for
consistency clustering), one clustering → labels; files of embeddings for the pipeline."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cellbench.checkpoints import read_checkpoint
from cellbench.data.layout import PreparedDataset
from cellbench.device import select_device
from cellbench.errors import InputError
from cellbench.io import atomic_dir, write_labels
from cellbench.methods.contract import working_scale
from cellbench.methods.predict import (
    file_sha256,
    rescale_image,
    restore_labels,
    split_image_ids,
)
from cellbench.methods.spoco import clustering
from cellbench.methods.spoco.augment import photometric
from cellbench.methods.spoco.config import SpocoConfig
from cellbench.methods.spoco.model import EmbeddingUNet, zscore
from cellbench.methods.spoco.train import to_unit
from cellbench.provenance import PROVENANCE_FILE, provenance

log = logging.getLogger(__name__)


@torch.no_grad()
def embed(net: EmbeddingUNet, image: torch.Tensor, depth: int, device: torch.device) -> np.ndarray:
    """(D, H, W) float32 embeddings of a (C, H, W) [0, 1] image (reflect-padded to 2^(depth−1))."""
    h, w = image.shape[-2:]
    m = 2 ** (depth - 1)
    pad_h, pad_w = (-h) % m, (-w) % m
    x = zscore(image[None])
    mode = "reflect" if pad_h < h and pad_w < w else "replicate"
    x = F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
    return net(x.to(device))[0, :, :h, :w].float().cpu().numpy()


@dataclass
class SpocoSegmenter:
    """A trained spoco network pair with its clustering (contract: ``segment(image) -> labels``)."""

    f: EmbeddingUNet
    g: EmbeddingUNet
    cfg: SpocoConfig
    device: torch.device
    seed: int = 0

    def embeddings(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(f, g) embeddings of one image; g sees a seeded photometric perturbation (App. A.4)."""
        x = to_unit(image)
        x_g = photometric(x, np.random.default_rng(self.seed))
        return embed(self.f, x, self.cfg.depth, self.device), embed(
            self.g, x_g, self.cfg.depth, self.device
        )

    def segment(
        self, image: np.ndarray, foreground: np.ndarray | None = None, method: str | None = None
    ) -> np.ndarray:
        f, g = self.embeddings(image)
        return cluster(f, g, self.cfg, method or self.cfg.clusterings[0], foreground, self.seed)


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


def load(model_path: str | Path, device: str = "auto") -> SpocoSegmenter:
    """Load ``model.pt`` written by :func:`cellbench.methods.spoco.train.train`."""
    state = read_checkpoint(
        model_path, "spoco model", keys=("f", "g", "config", "in_channels", "seed")
    )
    cfg = SpocoConfig.model_validate(state["config"])
    dev = select_device(device)
    nets = []
    for key in ("f", "g"):
        net = EmbeddingUNet(state["in_channels"], cfg.embedding_dim, cfg.depth, cfg.width)
        net.load_state_dict(state[key])
        nets.append(net.to(dev).eval())
    return SpocoSegmenter(nets[0], nets[1], cfg, dev, int(state["seed"]))


def embed_dataset(
    model_path: str | Path,
    dataset_root: str | Path,
    out_dir: str | Path,
    *,
    device: str = "auto",
    split: str = "test",
    config_digest: str | None = None,
) -> list[Path]:
    """Write ``out_dir/<image_id>.npz`` (f, g embeddings at the model's scale) for ``split``."""
    segmenter = load(model_path, device)
    dataset = PreparedDataset(dataset_root)
    ids = split_image_ids(dataset, split)
    scale = working_scale(dataset, segmenter.cfg.scale)
    with atomic_dir(out_dir) as tmp:
        for image_id in ids:
            image = rescale_image(dataset.image(image_id), scale)
            start = time.perf_counter()
            f, g = segmenter.embeddings(image)
            np.savez_compressed(
                tmp / f"{image_id}.npz",
                f=f.astype(np.float16),
                g=g.astype(np.float16),
                seconds=time.perf_counter() - start,
            )
        record = {
            "model": str(model_path),
            "model_sha256": file_sha256(model_path),
            "config": segmenter.cfg.model_dump(mode="json"),
            "seed": segmenter.seed,
            "scale": scale,
            "provenance": provenance(
                config_digest=config_digest, seed=segmenter.seed, device=str(segmenter.device)
            ),
        }
        (tmp / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return [Path(out_dir) / f"{i}.npz" for i in ids]


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
