"""Cell crops of paper 002 (Sec. IV-B "Segmentation Parameters"): each segmented cell on a white
background, longest side scaled down to ≤ 32 px without intensity rescaling, centred in 32×32."""

from __future__ import annotations

import numpy as np
import pandas as pd
from skimage import measure
from skimage.transform import resize

CROP_COLUMNS = ("image_id", "label", "min_row", "min_col", "max_row", "max_col")


def crop_cells(
    image: np.ndarray, labels: np.ndarray, size: int = 32
) -> tuple[np.ndarray, list[tuple[int, int, int, int, int]]]:
    """Crops (N, size, size, 3) uint8 and (label, min_row, min_col, max_row, max_col) per cell.

    Pixels outside the cell's mask are white (255). A cell whose bounding box is larger than
    ``size`` is resized (bilinear, anti-aliased, ``preserve_range``) so its longest side is
    ``size``; smaller cells keep their pixels as they are.
    """
    crops, rows = [], []
    for region in measure.regionprops(labels):
        r0, c0, r1, c1 = region.bbox
        patch = np.where(region.image[..., None], image[r0:r1, c0:c1], 255).astype(np.float64)
        longest = max(r1 - r0, c1 - c0)
        if longest > size:
            shape = (
                max(1, round((r1 - r0) * size / longest)),
                max(1, round((c1 - c0) * size / longest)),
            )
            patch = resize(patch, (*shape, 3), order=1, preserve_range=True, anti_aliasing=True)
        out = np.full((size, size, 3), 255, np.uint8)
        top, left = (size - patch.shape[0]) // 2, (size - patch.shape[1]) // 2
        out[top : top + patch.shape[0], left : left + patch.shape[1]] = np.clip(
            np.round(patch), 0, 255
        ).astype(np.uint8)
        crops.append(out)
        rows.append((int(region.label), int(r0), int(c0), int(r1), int(c1)))
    stack = np.stack(crops) if crops else np.zeros((0, size, size, 3), np.uint8)
    return stack, rows


def crop_table(image_id: str, rows: list[tuple[int, int, int, int, int]]) -> pd.DataFrame:
    """One row per cell: image, label id, bounding box (rows/cols, max exclusive)."""
    return pd.DataFrame([(image_id, *row) for row in rows], columns=list(CROP_COLUMNS))


def to_network(crops: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W) in [−1, 1] (x / 127.5 − 1, as the code)."""
    return (crops.astype(np.float32) / 127.5 - 1.0).transpose(0, 3, 1, 2)
