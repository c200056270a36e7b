"""spoco figures: PCA projection of the embeddings to RGB beside image, GT and each clustering
(paper Fig. 8 style); SBD against the annotated fraction (from the Table 1 rows)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from skimage.color import label2rgb

from cellbench.data.layout import PreparedDataset
from cellbench.io import read_labels
from cellbench.methods.predict import restore_labels
from cellbench.methods.spoco.labels import embeddings_config, read_embeddings
from cellbench.plots.style import save_figure


def pca_rgb(emb: np.ndarray) -> np.ndarray:
    """(H, W, 3) in [0, 1]: the first three principal components of a (D, H, W) embedding."""
    flat = emb.reshape(emb.shape[0], -1).T.astype(np.float64)
    flat = flat - flat.mean(0)
    _, _, vt = np.linalg.svd(flat[:: max(1, len(flat) // 20000)], full_matrices=False)
    proj = flat @ vt[:3].T
    low, high = np.percentile(proj, 1, axis=0), np.percentile(proj, 99, axis=0)
    rgb = np.clip((proj - low) / np.maximum(high - low, 1e-9), 0, 1)
    return rgb.reshape(*emb.shape[1:], 3)


def embedding_figure(
    dataset_root: str | Path,
    embeddings_dir: str | Path,
    predictions: Sequence[str | Path],
    png: str | Path,
    pdf: str | Path,
    n_images: int = 2,
) -> None:
    """Rows: test images; columns: image, GT, PCA(f), then one column per prediction directory."""
    data = PreparedDataset(dataset_root)
    cfg, _ = embeddings_config(Path(embeddings_dir))
    ids = data.evaluation_ids("test")[:n_images]
    cols = 3 + len(predictions)
    fig, axes = plt.subplots(len(ids), cols, figsize=(2.2 * cols, 2.2 * len(ids)), squeeze=False)
    for row, image_id in enumerate(ids):
        image, gt = data.image(image_id), data.labels(image_id)
        path = Path(embeddings_dir) / f"{image_id}.npz"
        with np.load(path) as npz:
            shape = npz["f"].shape[1:]
        f, _ = read_embeddings(path, shape, cfg.embedding_dim)
        pca = (
            restore_labels((pca_rgb(f) * 255).astype(np.uint8), gt.shape)
            if shape != gt.shape
            else pca_rgb(f)
        )
        panels = [("image", image), ("GT", label2rgb(gt, bg_label=0)), ("PCA(f)", pca)]
        for pred in predictions:
            labels = read_labels(Path(pred) / f"{image_id}.tif")
            panels.append((Path(pred).name.split("-", 1)[-1], label2rgb(labels, bg_label=0)))
        for ax, (title, panel) in zip(axes[row], panels, strict=True):
            ax.imshow(panel)
            ax.set_axis_off()
            if row == 0:
                ax.set_title(title, fontsize=8)
    save_figure(fig, png, pdf)


def fraction_figure(table1_csv: str | Path, png: str | Path, pdf: str | Path) -> None:
    """SBD (ours and paper) against the annotated fraction p of SPOCO@p (1.0 = SPOCO w/o FG)."""
    import pandas as pd

    table = pd.read_csv(table1_csv)
    fig, ax = plt.subplots(figsize=(4, 3))
    for dataset, sub in table.groupby("dataset"):
        points = []
        for _, row in sub.iterrows():
            name = str(row["method"])
            p = (
                1.0
                if name == "SPOCO (w/o FG)"
                else float(name.split("@")[1])
                if name.startswith("SPOCO@")
                else None
            )
            if p is None:
                continue
            for col, label in (("SBD (ours)", f"{dataset} (ours)"), ("SBD (paper)", "paper")):
                value = str(row[col]).split(" ")[0]
                if value not in ("–", "nan"):
                    points.append((label, p, float(value)))
        for label in sorted({p[0] for p in points}):
            xs, ys = zip(*sorted((p[1], p[2]) for p in points if p[0] == label), strict=True)
            ax.plot(xs, ys, marker="o", label=label)
    ax.set_xlabel("annotated fraction p")
    ax.set_ylabel("SBD")
    ax.legend(fontsize=7)
    save_figure(fig, png, pdf)
