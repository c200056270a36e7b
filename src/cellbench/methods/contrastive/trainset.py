"""Training images (and, for model selection only, their masks) of one prepared dataset.

Only the images of the requested split (``train``) are read: the test split's labels are
never touched before the shared evaluation (tests/unit/test_contrastive_train.py proves it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from cellbench.data.layout import PreparedDataset
from cellbench.errors import InputError
from cellbench.methods.contract import working_scale
from cellbench.methods.contrastive.images import prepare_image
from cellbench.methods.predict import rescale_image


@dataclass(frozen=True)
class TrainSet:
    """Prepared images (H, W, C) float32 and binary foreground masks of one split."""

    image_ids: list[str]
    images: list[np.ndarray]
    masks: list[np.ndarray]

    @property
    def in_channels(self) -> int:
        return self.images[0].shape[-1]


def load_trainset(
    dataset_root: str | Path,
    epsilon: float,
    min_side: int,
    scale: float = 1.0,
    split: str = "train",
    image_ids: Sequence[str] | None = None,
) -> TrainSet:
    """Read ``split`` (or the given ``image_ids`` of it) at ``working_scale(dataset, scale)``
    (the scale the shared prediction segments at); every image must be ≥ ``min_side`` then."""
    dataset = PreparedDataset(dataset_root)
    factor = working_scale(dataset, scale)
    ids = list(image_ids) if image_ids is not None else dataset.image_ids(split=split)
    if not ids:
        raise InputError(dataset.root / "index.tsv", f"no images in split {split!r}")
    for image_id in ids:
        row = dataset.row(image_id)
        if row["split"] != split:
            raise InputError(dataset.root / "index.tsv", f"{image_id} is not in split {split!r}")
        if min(int(row["height"]), int(row["width"])) * factor < min_side:
            raise InputError(
                dataset.image_path(image_id),
                f"image {row['height']}x{row['width']} at scale {factor:g} is smaller than the "
                f"crop side {min_side}",
            )
        if not bool(row["has_labels"]):
            raise InputError(
                dataset.image_path(image_id), "training image without labels (model selection)"
            )
    images = [
        prepare_image(rescale_image(dataset.image(i), factor), epsilon, dataset.image_path(i))
        for i in ids
    ]
    if len({im.shape[-1] for im in images}) != 1:
        raise InputError(dataset.root, "training images differ in their number of channels")
    masks = [rescale_image(dataset.labels(i), factor, order=0) != 0 for i in ids]
    return TrainSet(ids, images, masks)


def random_crops(
    trainset: TrainSet,
    indices: Sequence[int],
    size: int,
    rng: np.random.Generator,
    with_masks: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One uniformly placed ``size``² crop per image: (B, C, size, size) [and (B, 1, ...)]."""
    crops, masks = [], []
    for i in indices:
        image = trainset.images[i]
        y = int(rng.integers(0, image.shape[0] - size + 1))
        x = int(rng.integers(0, image.shape[1] - size + 1))
        crops.append(image[y : y + size, x : x + size])
        if with_masks:
            masks.append(trainset.masks[i][y : y + size, x : x + size])
    batch = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).contiguous()
    if not with_masks:
        return batch, None
    return batch, torch.from_numpy(np.stack(masks)[:, None].astype(np.float32))
