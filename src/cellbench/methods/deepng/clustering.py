"""Deep clustering of the latent features, paper 000, Section II-D (no torch needed).

:func:`cluster_features` clusters the 32-D latent features with kMC, NG or GNG (seeded) and
stores the cluster index of every draw plus the normalised entropy of the cluster sizes; the
retraining on those pseudo-labels is :mod:`cellbench.methods.deepng.pseudolabel`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from cellbench.cluster import growing_neural_gas, neural_gas, normalized_entropy, online_kmeans
from cellbench.cluster.entropy import cluster_sizes
from cellbench.io import atomic_path, write_json
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.provenance import provenance

log = logging.getLogger(__name__)
ALGORITHMS = ("kmc", "ng", "gng")


def run_clustering(
    features: np.ndarray, algo: str, k: int, seed: int, cfg: DeepNGConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(labels, centroids) of kMC/NG with k centroids or GNG started from k units."""
    c = cfg.clustering
    schedule = {"epochs": c.epochs, "eps0": c.eps0, "eps_fin": c.eps_fin, "precision": c.precision}
    if algo == "kmc":
        result = online_kmeans(features, k, seed, radius=c.kmc_radius, **schedule)
    elif algo == "ng":
        result = neural_gas(features, k, seed, r_fin=c.r_fin, **schedule)
    elif algo == "gng":
        result = growing_neural_gas(features, seed, c.gng, n_start=k, epochs=c.epochs)
    else:
        raise ValueError(f"unknown clustering algorithm {algo!r}; known: {ALGORITHMS}")
    return result.labels, result.centroids


def cluster_features(
    features_path: str | Path,
    out_npz: str | Path,
    out_json: str | Path,
    algo: str,
    k: int,
    seed: int,
    cfg: DeepNGConfig,
    *,
    config_digest: str | None = None,
) -> dict:
    """Cluster the features; write the assignments (npz) and the entropy summary (json)."""
    with np.load(features_path) as data:
        features = data["features"]
    labels, centroids = run_clustering(features, algo, k, seed, cfg)
    n_clusters = int(centroids.shape[0])
    sizes = cluster_sizes(labels, n_clusters)
    summary = {
        "algorithm": algo,
        "k": k,
        "seed": seed,
        "n_clusters": n_clusters,
        "normalized_entropy": normalized_entropy(labels, n_clusters),
        "empty_clusters": int((sizes == 0).sum()),
        "sizes": sizes.tolist(),
        "provenance": provenance(config_digest=config_digest, seed=seed, device="cpu"),
    }
    with atomic_path(out_npz) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, labels=labels.astype(np.int64), centroids=centroids)
    write_json(out_json, summary)
    log.info(
        "%s k=%d seed=%d: %d clusters, normalized entropy %.4f",
        algo,
        k,
        seed,
        n_clusters,
        summary["normalized_entropy"],
    )
    return summary
