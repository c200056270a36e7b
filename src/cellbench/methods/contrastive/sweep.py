"""Table 1 (paper §3.2): CSL runs of a patch-count/patch-size sweep, scored on a hold-out.

The paper selects the number of patches and the patch size by "the median validation Dice
score over three runs on MoNuSeg". Here the validation images are a seeded hold-out of the
training split (never the test split): each run trains on the rest exactly as a Table 2 run
does (epoch and channel selected on those images' labels) and is then scored on the hold-out
with the Table 2 post-processing. The sweep is one factor at a time: patch counts at the
method's ``patch_size``, patch sizes at its ``patches``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from cellbench.data.layout import PreparedDataset
from cellbench.device import select_device
from cellbench.errors import InputError
from cellbench.io import atomic_path
from cellbench.methods.contrastive.checkpoint import build_network
from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.postprocess import confidence_to_labels
from cellbench.methods.contrastive.runs import cell_name
from cellbench.methods.contrastive.select import binary_dice, confidence_maps
from cellbench.methods.contrastive.train import train_csl
from cellbench.methods.contrastive.trainset import TrainSet, load_trainset
from cellbench.provenance import provenance

log = logging.getLogger(__name__)


def validation_split(image_ids: list[str], fraction: float, seed: int) -> tuple[list, list]:
    """(fit, validation) image ids: round(fraction × n) images (at least one) drawn with
    ``seed``; at least one image is left to train on."""
    ids = sorted(image_ids)
    if len(ids) < 2:
        raise ValueError(f"a validation hold-out needs >= 2 training images, got {len(ids)}")
    n_val = min(len(ids) - 1, max(1, round(fraction * len(ids))))
    chosen = np.random.default_rng(seed).choice(len(ids), n_val, replace=False)
    validation = [ids[i] for i in sorted(chosen)]
    return [i for i in ids if i not in validation], validation


def validation_dice(record: dict[str, Any], holdout: TrainSet, device: str = "auto") -> list[float]:
    """Per-image Dice of a CSL record's selected channel on prepared hold-out images, after the
    Table 2 post-processing (threshold, opening/closing)."""
    dev = select_device(device)
    model = build_network(record).to(dev)
    scores = []
    for image, mask in zip(holdout.images, holdout.masks, strict=True):
        conf = confidence_maps(model, image, dev)[record["channel"]]
        labels = confidence_to_labels(
            conf, record["threshold"], record["opening_radius"], record["closing_radius"]
        )
        scores.append(binary_dice(labels > 0, mask))
    return scores


def run_cell(
    dataset_root: str | Path,
    out_path: str | Path,
    cfg: ContrastiveConfig,
    patches: int,
    patch_size: int,
    seed: int,
    holdout: tuple[float, int],
    device: str = "auto",
    config_digest: str | None = None,
) -> dict[str, Any]:
    """Train one run of a sweep cell on the fit images, score it on the hold-out (``holdout``:
    fraction and seed of :func:`validation_split`), write JSON."""
    cell_cfg = ContrastiveConfig.model_validate(
        {**cfg.to_dict(), "patches": patches, "patch_size": patch_size}
    )
    dataset = PreparedDataset(dataset_root)
    fraction, split_seed = holdout
    try:
        fit_ids, val_ids = validation_split(dataset.image_ids(split="train"), fraction, split_seed)
    except ValueError as error:
        raise InputError(dataset.root / "index.tsv", str(error)) from error
    fit = load_trainset(
        dataset_root, cfg.epsilon, cfg.crop_size, cfg.scale, split="train", image_ids=fit_ids
    )
    held_out = load_trainset(dataset_root, cfg.epsilon, 1, cfg.scale, image_ids=val_ids)
    log.info(
        "Table 1 cell %s seed %d: %d fit / %d validation images",
        cell_name(patches, patch_size),
        seed,
        len(fit_ids),
        len(val_ids),
    )
    record = train_csl(fit, cell_cfg, seed, device)
    record.update(opening_radius=cfg.opening_radius, closing_radius=cfg.closing_radius)
    scores = validation_dice(record, held_out, device)
    result = {
        "dataset": dataset.name,
        "patches": patches,
        "patch_size": patch_size,
        "seed": seed,
        "validation_dice": float(np.mean(scores)),
        "validation_dice_per_image": dict(zip(val_ids, scores, strict=True)),
        "fit_images": fit_ids,
        "validation_images": val_ids,
        "validation_fraction": fraction,
        "split_seed": split_seed,
        "selected_epoch": record["epoch"],
        "selected_channel": record["channel"],
        "fit_dice": record["train_dice"],
        "useful": record["useful"],
        "seconds": record["seconds_total"],
        "provenance": provenance(config_digest=config_digest, seed=seed, device=device),
    }
    log.info("validation Dice %.4f", result["validation_dice"])
    with atomic_path(out_path) as tmp:
        Path(tmp).write_text(json.dumps(result, indent=1))
    return result


def read_cell(path: str | Path) -> dict[str, Any]:
    """A run file written by :func:`run_cell` (InputError naming it if it is not one)."""
    try:
        result = json.loads(Path(path).read_text())
        _ = result["validation_dice"], result["patches"], result["patch_size"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(path, f"not a contrastive Table 1 run file ({error})") from error
    return result
