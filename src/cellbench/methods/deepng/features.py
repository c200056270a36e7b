"""Latent features for clustering, paper 000, Section II-C.

Draw ``draws`` (5000) augmented images from the unlabelled set (training images of CT2–CT7),
each a random ``size``² (256²) crop after the augmentations, pass them through the encoder,
global-average-pool the last ResNet block (8×8×2048 → 2048 for ResNet-50) and reduce to 32-D by PCA.
Draw i is reproducible from (seed, i) alone (:func:`make_draw`), so that the retraining step
regenerates exactly the images that were clustered without storing them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import torch

from cellbench.data.layout import PreparedDataset
from cellbench.device import seed_everything, select_device
from cellbench.errors import InputError
from cellbench.io import atomic_path
from cellbench.methods.deepng.augment import augment, random_crop
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.methods.deepng.images import to_rgb_float, to_tensor_batch
from cellbench.methods.deepng.model_io import load_model
from cellbench.methods.predict import rescale_image, working_scale

log = logging.getLogger(__name__)


def unlabelled_pool(dataset: PreparedDataset, cfg: DeepNGConfig) -> list[str]:
    """Training images of every group that is not known (CT2–CT7), in index order."""
    known = set(cfg.known_groups)
    ids = [
        image_id
        for image_id in dataset.image_ids(split="train")
        if str(dataset.row(image_id)["group"]) not in known
    ]
    if not ids:
        raise InputError(dataset.root / "index.tsv", "no unlabelled (unknown-group) train images")
    return ids


def load_pool(dataset: PreparedDataset, ids: list[str], cfg: DeepNGConfig) -> list[np.ndarray]:
    """The unlabelled pool's images, normalised and resized to the working scale."""
    scale = working_scale(dataset, cfg.scale)
    return [rescale_image(to_rgb_float(dataset.image(i), cfg.normalization), scale) for i in ids]


def make_draw(
    pool: list[np.ndarray], index: int, seed: int, cfg: DeepNGConfig
) -> tuple[int, np.ndarray]:
    """Draw ``index``: (pool position, augmented size×size image), determined by (seed, index)."""
    rng = np.random.default_rng([seed, index])
    position = int(rng.integers(0, len(pool)))
    image, _ = augment(pool[position], None, rng, cfg.augment)
    image, _ = random_crop(image, None, cfg.features.size, rng)
    return position, image


def extract_features(
    model_path: str | Path,
    dataset_root: str | Path,
    out_path: str | Path,
    cfg: DeepNGConfig,
    seed: int,
    *,
    device: str = "auto",
) -> Path:
    """Write ``features.npz``: 32-D PCA features, the draws' images/groups and PCA statistics."""
    seed_everything(seed)
    torch_device = select_device(device)
    model, _, _ = load_model(model_path, torch_device)
    dataset = PreparedDataset(dataset_root)
    ids = unlabelled_pool(dataset, cfg)
    pool = load_pool(dataset, ids, cfg)
    n, batch = cfg.features.draws, cfg.features.batch_size
    if n < cfg.features.pca_dim:
        raise ValueError(f"need at least pca_dim={cfg.features.pca_dim} draws, got {n}")
    log.info("deepng: %d draws of %d² from %d unlabelled images", n, cfg.features.size, len(ids))
    positions = np.empty(n, dtype=np.int64)
    pooled = np.empty((n, model.latent_channels), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, n, batch):
            images = []
            for index in range(start, min(n, start + batch)):
                positions[index], image = make_draw(pool, index, seed, cfg)
                images.append(image)
            latent = model.encode(to_tensor_batch(images).to(torch_device))
            pooled[start : start + len(images)] = latent.mean(dim=(2, 3)).cpu().numpy()
    from sklearn.decomposition import PCA  # ~1.5 s to import: only the job that fits it

    pca = PCA(n_components=cfg.features.pca_dim, svd_solver="full", random_state=seed)
    reduced = pca.fit_transform(pooled.astype(np.float64))
    groups = np.array([str(dataset.row(ids[p])["group"]) for p in positions])
    with atomic_path(out_path) as tmp, open(tmp, "wb") as handle:
        np.savez(
            handle,
            features=reduced,
            positions=positions,
            pool=np.array(ids),
            groups=groups,
            explained_variance_ratio=pca.explained_variance_ratio_,
            seed=np.int64(seed),
            config=np.array(json.dumps(cfg.to_dict())),
        )
    log.info("PCA keeps %.3f of the variance", float(pca.explained_variance_ratio_.sum()))
    return Path(out_path)
