"""contrastive (paper 003) figures from the run checkpoints' histories.

Dice per epoch: the best channel's training Dice of every run. Fig. 4 style: distribution of
window mean confidence and mean entropy (all K channels) over the first epochs of the first run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cellbench.methods.contrastive.checkpoint import load_checkpoint
from cellbench.plots.style import plt, save_figure


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
