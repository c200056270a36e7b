"""contrastive (paper 003) figures from the run checkpoints and predictions.

Dice per epoch: the best channel's training Dice of every run. Fig. 4 style: distribution of
window mean confidence and mean entropy (all K channels) over the first epochs of the first run.
Fig. 3 style: test images, ground truth, prediction and the TP/FN/FP colour code of one run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.patches import Patch

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.io import read_labels
from cellbench.methods.contrastive.checkpoint import load_checkpoint
from cellbench.metrics import dice
from cellbench.plots.gallery import display_rgb
from cellbench.plots.style import plt, save_figure

log = logging.getLogger(__name__)

TP_COLOUR = (0, 0, 255)
"""Fig. 3 of paper 003: blue = correct segmentation (true positive)."""
FN_COLOUR = (0, 255, 0)
"""Green = false negative."""
FP_COLOUR = (255, 0, 0)
"""Red = false positive."""
TN_COLOUR = (255, 255, 255)
"""White background = true negative."""
FIG3_IMAGES = 4
"""Test images per dataset in the Fig. 3 style figure (the paper shows four)."""

Fig3Run = tuple[str, Path, Path]
"""(run name, CSL model.pt, its prediction directory of label TIFFs)."""


def dice_curves(models: Sequence[str | Path], png: str | Path) -> None:
    """One line per run: max over channels of the training Dice after each epoch."""
    figure, ax = plt.subplots(figsize=(6, 4))
    for path in models:
        path = Path(path)
        record = load_checkpoint(path, "csl")
        dice = np.asarray(record["history"]["dice"]).max(axis=1)
        label = f"{path.parent.parent.name}/{path.parent.name}"
        ax.plot(np.arange(1, len(dice) + 1), dice, lw=1, label=label)
        ax.plot(record["epoch"], record["train_dice"], "k.", ms=4)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training Dice (best channel, threshold 0.5)")
    ax.set_title("CSL runs: Dice per epoch (dots: selected epoch)")
    ax.legend(fontsize=6, ncol=2)
    save_figure(figure, png)


def fig4(model: str | Path, png: str | Path) -> None:
    """Violin plots of window confidence and entropy per epoch (first run)."""
    record = load_checkpoint(model, "csl")
    fig4_data = record["fig4"]
    epochs = sorted(set(fig4_data["epoch"]))
    figure, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    for ax, key, label in zip(
        axes,
        ("confidence", "entropy"),
        ("mean patch confidence", "mean patch entropy (bits)"),
        strict=True,
    ):
        values = [
            np.concatenate(
                [v for e, v in zip(fig4_data["epoch"], fig4_data[key], strict=True) if e == epoch]
            )
            for epoch in epochs
        ]
        ax.violinplot(values, positions=epochs, showextrema=False)
        ax.set_ylabel(label)
        ax.set_ylim(0, 1)
    axes[-1].set_xlabel("epoch")
    axes[0].set_title(f"Fig. 4 style: window statistics, {Path(model).parent.name}")
    save_figure(figure, png)


def overlay_colours(
    pred: np.ndarray, truth: np.ndarray, source: str | Path | None = None
) -> np.ndarray:
    """Paper 003 Fig. 3 colour code, (H, W, 3) uint8: TP blue, FN green, FP red, TN white.

    Foreground is every non-zero pixel of the 2-D ``pred`` and ``truth``; a shape mismatch is an
    :class:`InputError` naming ``source`` (the prediction file).
    """
    pred, truth = np.asarray(pred), np.asarray(truth)
    if pred.ndim != 2 or pred.shape != truth.shape:
        raise InputError(
            source,
            f"prediction shape {pred.shape} differs from ground truth shape {truth.shape} "
            "(two 2-D masks of one size expected)",
        )
    p, t = pred != 0, truth != 0
    out = np.empty((*pred.shape, 3), np.uint8)
    out[~p & ~t] = TN_COLOUR
    out[p & t] = TP_COLOUR
    out[~p & t] = FN_COLOUR
    out[p & ~t] = FP_COLOUR
    return out


def fig3_image_ids(dataset: PreparedDataset, n: int = FIG3_IMAGES) -> list[str]:
    """The first ``n`` fully annotated test image ids in sorted order (a fixed rule, no scores)."""
    image_ids = sorted(dataset.evaluation_ids("test"))[:n]
    if not image_ids:
        raise InputError(dataset.root / "index.tsv", "no fully annotated test images to show")
    return image_ids


def select_run(runs: Sequence[Fig3Run]) -> tuple[Fig3Run, float]:
    """The run with the highest training selection Dice (``train_dice`` of its checkpoint; the
    first on ties) and that Dice. Test scores are never read."""
    if not runs:
        raise InputError(None, "no CSL runs to choose from")
    train_dice = [float(load_checkpoint(model, "csl")["train_dice"]) for _, model, _ in runs]
    best = int(np.argmax(train_dice))
    return runs[best], train_dice[best]


def fig3(
    datasets: Sequence[tuple[str | Path, Sequence[Fig3Run]]],
    png: str | Path,
    n_images: int = FIG3_IMAGES,
) -> None:
    """Fig. 3 style (paper 003): per dataset, the first ``n_images`` test images (rows) as image,
    ground truth, CSL prediction and TP/FN/FP overlay of the run chosen by :func:`select_run`.

    Every file is read and checked before anything is drawn.
    """
    sections = []
    for root, runs in datasets:
        dataset = PreparedDataset(root)
        (run, _, pred_dir), train_dice = select_run(runs)
        log.info(
            "%s: showing run %s (training selection Dice %.4f, highest of %d runs)",
            dataset.name,
            run,
            train_dice,
            len(runs),
        )
        rows = []
        for image_id in fig3_image_ids(dataset, n_images):
            pred_path = Path(pred_dir) / f"{image_id}.tif"
            truth, pred = dataset.labels(image_id), read_labels(pred_path)
            overlay = overlay_colours(pred, truth, pred_path)
            rows.append((image_id, dataset.image(image_id), truth, pred, overlay))
        sections.append((dataset.name, run, train_dice, len(runs), rows))

    total_rows = sum(len(rows) for *_, rows in sections)
    figure = plt.figure(figsize=(9.6, 2.4 * total_rows + 0.9 * len(sections)), layout="constrained")
    subfigures = np.atleast_1d(
        figure.subfigures(len(sections), 1, height_ratios=[len(s[-1]) + 0.4 for s in sections])
    )
    for subfigure, (name, run, train_dice, n_runs, rows) in zip(subfigures, sections, strict=True):
        subfigure.suptitle(
            f"{name}: CSL run {run}, chosen for the highest training selection Dice "
            f"({train_dice:.3f}) of {n_runs} runs",
            fontsize=9,
        )
        axes = subfigure.subplots(len(rows), 4, squeeze=False)
        for row_axes, (image_id, image, truth, pred, overlay) in zip(axes, rows, strict=True):
            panels = (
                (display_rgb(image), None, f"test image {image_id}"),
                (truth != 0, "gray", "ground truth"),
                (pred != 0, "gray", f"prediction ({run})"),
                (overlay, None, f"overlay, Dice {dice(truth, pred):.3f}"),
            )
            for ax, (panel, cmap, title) in zip(row_axes, panels, strict=True):
                ax.imshow(panel, cmap=cmap, interpolation="antialiased")
                ax.set_title(title, fontsize=8)
                ax.set_xticks([])
                ax.set_yticks([])
    legend = [
        Patch(facecolor=np.asarray(colour) / 255, edgecolor="black", label=label)
        for colour, label in (
            (TP_COLOUR, "true positive"),
            (FN_COLOUR, "false negative"),
            (FP_COLOUR, "false positive"),
            (TN_COLOUR, "true negative"),
        )
    ]
    figure.legend(handles=legend, loc="outside lower center", ncol=4, fontsize=8)
    figure.suptitle(
        f"Fig. 3 style (paper 003): the first {n_images} test images (at most) in sorted id order; "
        "prediction = the run's label TIFFs > 0",
        fontsize=10,
    )
    save_figure(figure, png)
