"""Gallery of the synthetic suite: one example per domain and type, ground truth outlined."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from skimage.segmentation import find_boundaries

from cellbench.data.layout import PreparedDataset
from cellbench.plots.style import save_figure

OUTLINE = np.array([1.0, 0.9, 0.0])


def display_rgb(image: np.ndarray) -> np.ndarray:
    """Float RGB in [0, 1] for display: grey or two-channel images are contrast-stretched
    (two channels as nucleus = blue/green, membrane = magenta)."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        image = image[..., None]
    low, high = np.percentile(image, (0.5, 99.8), axis=(0, 1))
    scaled = np.clip((image - low) / np.where(high > low, high - low, 1), 0, 1)
    if scaled.shape[-1] == 1:
        return np.repeat(scaled, 3, axis=-1)
    if scaled.shape[-1] == 2:
        nucleus, membrane = scaled[..., 0], scaled[..., 1]
        return np.clip(np.stack([membrane, nucleus, nucleus + membrane], axis=-1), 0, 1)
    if image.max() > 1:
        return image[..., :3] / 255.0
    return scaled[..., :3]


def outlined(image: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Display image with the ground-truth object outlines drawn in yellow."""
    rgb = display_rgb(image)
    rgb[find_boundaries(labels, mode="inner")] = OUTLINE
    return rgb


def examples(root: Path) -> list[tuple[str, str]]:
    """(title, image_id) for one example per group, plus marrow images showing every category."""
    dataset = PreparedDataset(root)
    index = dataset.index[dataset.index["has_labels"]]
    picks: list[tuple[str, str]] = []
    for group, rows in index.groupby("group", sort=True):
        picks.append((f"{dataset.name} {group}", rows["image_id"].iloc[0]))
    if dataset.info.categories:
        objects = dataset.objects()
        for category in dataset.info.categories:
            hits = objects[objects["category"] == category]["image_id"]
            if not hits.empty and hits.iloc[0] not in {i for _, i in picks}:
                picks.append((f"{dataset.name} ({category})", hits.iloc[0]))
    return picks


def draw_gallery(dataset_roots: list[Path], out_png: Path, out_pdf: Path) -> None:
    """Grid of examples (image with GT outlines) of every dataset, written atomically."""
    panels = [
        (root, title, image_id) for root in dataset_roots for title, image_id in examples(root)
    ]
    columns = 5
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.3 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (root, title, image_id) in zip(axes.ravel(), panels, strict=False):
        dataset = PreparedDataset(root)
        ax.imshow(
            outlined(dataset.image(image_id), dataset.labels(image_id)), interpolation="nearest"
        )
        ax.set_title(f"{title}\n{image_id}", fontsize=8)
    figure.tight_layout()
    save_figure(figure, out_png, out_pdf)
