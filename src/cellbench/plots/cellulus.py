"""Figures of cellulus (paper 001, Figs. 4 and 7): embeddings, background variance, segmentations."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import hsv_to_rgb
from skimage.color import label2rgb

from cellbench.data.layout import PreparedDataset
from cellbench.methods.cellulus import load
from cellbench.methods.cellulus.data import normalise
from cellbench.methods.predict import rescale_image, restore_labels
from cellbench.plots.style import save_figure


def offsets_to_rgb(offsets: np.ndarray, max_norm: float | None = None) -> np.ndarray:
    """Offset field (2, H, W) as colour: hue = direction, value = length (Fig. 4 style)."""
    angle = (np.arctan2(offsets[0], offsets[1]) + np.pi) / (2 * np.pi)
    norm = np.hypot(offsets[0], offsets[1])
    scale = max_norm or max(float(np.percentile(norm, 99)), 1e-6)
    hsv = np.stack([angle, np.ones_like(angle), np.clip(norm / scale, 0, 1)], axis=-1)
    return hsv_to_rgb(hsv)


def embedding_figure(
    model_path: str | Path,
    dataset_root: str | Path,
    png: str | Path,
    pdf: str | Path,
    *,
    n_images: int = 3,
    device: str = "auto",
) -> None:
    """Rows = test images; columns = image, mean offsets, std (background), prediction, GT."""
    segmenter = load(model_path, device=device)
    dataset = PreparedDataset(dataset_root)
    ids = dataset.image_ids(split="test")[:n_images]
    columns = ["image", "mean offset r̄", "std over passes", "cellulus", "ground truth"]
    figure, axes = plt.subplots(
        len(ids), len(columns), figsize=(3 * len(columns), 3 * len(ids)), squeeze=False
    )
    for row, image_id in zip(axes, ids, strict=True):
        image = dataset.image(image_id)
        # At the dataset's scale, as predicted for scoring; labels mapped back to scale 1.
        embedding = segmenter.embed(rescale_image(image, dataset.info.scale))
        labels = restore_labels(segmenter.segment_embedding(embedding), image.shape[:2])
        shown = normalise(image).mean(axis=0)
        truth = (
            dataset.labels(image_id)
            if dataset.labels_path(image_id).is_file()
            else np.zeros_like(labels)
        )
        panels = [
            (shown, "gray"),
            (offsets_to_rgb(embedding.offsets), None),
            (embedding.std, "magma"),
            (label2rgb(labels, bg_label=0), None),
            (label2rgb(truth, bg_label=0), None),
        ]
        for ax, (panel, cmap), title in zip(row, panels, columns, strict=True):
            ax.imshow(panel, cmap=cmap, interpolation="nearest")
            ax.set_title(f"{image_id}: {title}" if title == "image" else title, fontsize=8)
            ax.axis("off")
    figure.suptitle(
        f"cellulus on {dataset.name} (bandwidth {segmenter.bandwidth:g}, shrink {segmenter.shrink})"
    )
    save_figure(figure, png, pdf)


def fig5(results_csv: str | Path, png: str | Path, pdf: str | Path) -> None:
    """Fig. 5 of paper 001: test F1 vs annotation fraction, α = 0 (sparse) vs 0.5 (+ pseudo);
    mean ± std over repeats, each repeat as a small dot."""
    import pandas as pd

    results = pd.read_csv(results_csv)
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, metric in zip(axes, ("f1", "seg"), strict=True):
        for alpha, frame in results.groupby("alpha", sort=True):
            stats = frame.groupby("fraction")[metric].agg(["mean", "std"]).fillna(0.0)
            label = (
                "sparse GT only (α = 0)"
                if alpha == 0
                else f"sparse GT + cellulus pseudo labels (α = {alpha:g})"
            )
            line = ax.errorbar(
                100 * stats.index,
                stats["mean"],
                yerr=stats["std"],
                marker="o",
                capsize=3,
                label=label,
            )
            ax.scatter(
                100 * frame["fraction"],
                frame[metric],
                s=10,
                alpha=0.6,
                color=line.lines[0].get_color(),
            )
        ax.set_xscale("log")
        ax.set_xlabel("annotated objects (%)")
        ax.set_ylabel("F1@0.5" if metric == "f1" else "SEG")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    figure.suptitle(
        f"Supported supervision on {results['dataset'].iloc[0]} "
        f"(mean ± std over {results['repeat'].nunique()} repeats; dots: repeats)"
    )
    save_figure(figure, png, pdf)
