"""spoco inference: embeddings of f (and of g on a photometrically perturbed copy, for
consistency clustering) and the contract's segmenter; files of embeddings for the pipeline
(clustered by :mod:`cellbench.methods.spoco.labels`)."""

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
from cellbench.io import atomic_dir
from cellbench.methods.contract import working_scale
from cellbench.methods.predict import (
    file_sha256,
    rescale_image,
    split_image_ids,
)
from cellbench.methods.spoco.augment import photometric
from cellbench.methods.spoco.config import SpocoConfig
from cellbench.methods.spoco.labels import cluster
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
