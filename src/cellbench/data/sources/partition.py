"""Deterministic partition of the DSB 2018 images into cell types CT1..CT7.

Paper 000 split the 735 stage 1 images by hand (592/8/7/8/66/16/38) and published no list.
This partition uses image properties only (docs/datasets.md, "DSB partition"):

1. ``colour``: mean absolute difference between the RGB channels > ``COLOUR_DIFF``.
2. ``background``: median grey value (0..255); bright background if > ``BRIGHT_BG``.
3. grey + bright background -> CT6 (bright-field).
4. colour -> CT5 (stained tissue); the darkest-background share ``38/104`` of them -> CT7.
5. grey + dark background (fluorescence) -> CT1, except ranked minorities whose sizes are
   the paper's counts scaled to the number of images: CT4 = highest density (nuclei per
   10^4 px), then CT3 = largest median nucleus area, then CT2 = largest image size.

Ranks break ties by image id, so the result is deterministic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PAPER_COUNTS = {"CT1": 592, "CT2": 8, "CT3": 7, "CT4": 8, "CT5": 66, "CT6": 16, "CT7": 38}
PAPER_TOTAL = sum(PAPER_COUNTS.values())  # 735
COLOUR_DIFF = 2.0
BRIGHT_BG = 128.0


def image_features(image: np.ndarray, labels: np.ndarray | None) -> dict[str, float | bool]:
    """Partition features of one RGB uint8 image (and its labels, if any)."""
    rgb = image.astype(np.float32)
    diff = np.abs(rgb[..., 0] - rgb[..., 1]) + np.abs(rgb[..., 1] - rgb[..., 2])
    grey = rgb.mean(axis=-1)
    height, width = grey.shape
    if labels is not None and labels.max() > 0:
        areas = np.bincount(labels.ravel())[1:]
        areas = areas[areas > 0]
        median_area = float(np.median(areas))
        density = float(areas.size / (height * width) * 1e4)
    else:
        median_area, density = float("nan"), float("nan")
    return {
        "colour": bool(diff.mean() / 2 > COLOUR_DIFF),
        "background": float(np.median(grey)),
        "height": int(height),
        "width": int(width),
        "size": int(height * width),
        "median_area": median_area,
        "density": density,
    }


def _quota(group: str, n_total: int) -> int:
    return round(PAPER_COUNTS[group] * n_total / PAPER_TOTAL)


def _take_top(frame: pd.DataFrame, pool: pd.Index, column: str, n: int) -> pd.Index:
    if n <= 0 or pool.empty:
        return pool[:0]
    ranked = frame.loc[pool].assign(_id=frame.loc[pool].index)
    ranked = ranked.sort_values([column, "_id"], ascending=[False, True], na_position="last")
    return ranked.index[:n]


def assign_types(features: pd.DataFrame) -> pd.Series:
    """Cell type CT1..CT7 of every row of a feature table indexed by image id."""
    frame = features.sort_index()
    n_total = len(frame)
    types = pd.Series("CT1", index=frame.index, name="type")
    colour = frame["colour"].astype(bool)
    bright = frame["background"] > BRIGHT_BG
    types[~colour & bright] = "CT6"
    col = frame.index[colour]
    types[col] = "CT5"
    n7 = round(len(col) * PAPER_COUNTS["CT7"] / (PAPER_COUNTS["CT5"] + PAPER_COUNTS["CT7"]))
    darkest = frame.loc[col].assign(_id=col).sort_values(["background", "_id"]).index[:n7]
    types[darkest] = "CT7"
    pool = frame.index[~colour & ~bright]
    for group, column in (("CT4", "density"), ("CT3", "median_area"), ("CT2", "size")):
        chosen = _take_top(frame, pool, column, _quota(group, n_total))
        types[chosen] = group
        pool = pool.difference(chosen)
    return types


def choose_test(types: pd.Series, eligible: pd.Series, per_type: int = 2, seed: int = 0) -> set:
    """Image ids of the test split: ``per_type`` labelled images per type, fixed seed."""
    rng = np.random.default_rng(seed)
    chosen: set = set()
    for group in sorted(PAPER_COUNTS):
        ids = sorted(i for i in types.index[types == group] if eligible.get(i, False))
        if ids:
            pick = rng.choice(len(ids), size=min(per_type, len(ids)), replace=False)
            chosen.update(ids[int(k)] for k in sorted(pick))
    return chosen


def draw_partition_figure(dataset_dir: str | Path, out_png: str | Path, per_type: int = 4) -> None:
    """Grid of example images per cell type (rows CT1..CT7) from a prepared DSB dataset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cellbench.data.layout import PreparedDataset

    data = PreparedDataset(dataset_dir)
    fig, axes = plt.subplots(
        len(PAPER_COUNTS),
        per_type,
        figsize=(1.6 * per_type, 1.6 * len(PAPER_COUNTS)),
        squeeze=False,
    )
    for row, group in enumerate(sorted(PAPER_COUNTS)):
        ids = sorted(data.image_ids(group=group))
        for col in range(per_type):
            ax = axes[row, col]
            ax.set_xticks([])
            ax.set_yticks([])
            if col < len(ids):
                ax.imshow(data.image(ids[col]))
            else:
                ax.set_frame_on(False)
            if col == 0:
                ax.set_ylabel(f"{group} (n={len(ids)})", fontsize=8)
    fig.suptitle("DSB 2018 partition CT1-CT7 (examples)", fontsize=9)
    fig.tight_layout()
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=120)
    fig.savefig(out_png.with_suffix(".pdf"))
    plt.close(fig)
