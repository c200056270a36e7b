"""Fig. 3 style figure of contrastive: colour code, run selection by training Dice, image rule."""

import logging

import numpy as np
import pytest

from cellbench.data.layout import DatasetInfo, write_dataset
from cellbench.errors import InputError
from cellbench.io import write_labels
from cellbench.methods.contrastive.checkpoint import save_checkpoint
from cellbench.plots.contrastive import fig3, overlay_colours, select_run
from tests.conftest import blob_image

BLUE, GREEN, RED, WHITE = (0, 0, 255), (0, 255, 0), (255, 0, 0), (255, 255, 255)


def test_overlay_colours_per_pixel() -> None:
    pred = np.array([[1, 0, 2], [0, 0, 3], [5, 0, 0]], np.uint16)
    truth = np.array([[4, 4, 0], [0, 1, 1], [0, 0, 2]], np.uint16)
    expected = np.array([[BLUE, GREEN, RED], [WHITE, GREEN, BLUE], [RED, WHITE, GREEN]], np.uint8)
    out = overlay_colours(pred, truth)
    assert out.dtype == np.uint8 and out.shape == (3, 3, 3)
    np.testing.assert_array_equal(out, expected)


def test_overlay_colours_rejects_shape_mismatch() -> None:
    with pytest.raises(InputError, match=r"p\.tif: prediction shape \(3, 4\) differs"):
        overlay_colours(np.zeros((3, 4)), np.zeros((4, 3)), "p.tif")
    with pytest.raises(InputError, match="2-D"):
        overlay_colours(np.zeros((2, 3, 3)), np.zeros((2, 3, 3)))


def fake_run(tmp_path, run, train_dice, predictions=None):
    model = save_checkpoint(
        tmp_path / "models" / run / "model.pt", {"kind": "csl", "train_dice": train_dice}
    )
    pred_dir = tmp_path / "pred" / run
    pred_dir.mkdir(parents=True)
    for image_id, labels in (predictions or {}).items():
        write_labels(pred_dir / f"{image_id}.tif", labels)
    return run, model, pred_dir


def test_select_run_uses_training_dice_first_on_ties(tmp_path) -> None:
    runs = [
        fake_run(tmp_path, "seed0", 0.4),
        fake_run(tmp_path, "seed1", 0.7),
        fake_run(tmp_path, "seed2", 0.7),
    ]
    assert select_run(runs) == (runs[1], 0.7)


def test_fig3_draws_the_first_four_sorted_test_images_of_the_selected_run(tmp_path, caplog) -> None:
    rng = np.random.default_rng(0)
    root = tmp_path / "he"
    labels = {}
    with write_dataset(root, DatasetInfo(name="he", domain="histo", seed=0)) as writer:
        for image_id, split in [("a", "train"), *[(f"t{i}", "test") for i in (5, 1, 3, 0, 2, 4)]]:
            grey, labels[image_id] = blob_image(rng)
            writer.add(
                image_id, np.repeat(grey[..., None], 3, axis=-1), labels[image_id], split=split
            )
    shown = ["t0", "t1", "t2", "t3"]
    # Only the selected run has predictions, and only for the four images the rule picks.
    runs = [
        fake_run(tmp_path, "seed0", 0.2),
        fake_run(tmp_path, "seed1", 0.9, {i: np.roll(labels[i], 3, axis=1) for i in shown}),
    ]
    png = tmp_path / "fig3.png"
    with caplog.at_level(logging.INFO):
        fig3([(root, runs)], png)
    assert png.stat().st_size > 10_000
    assert (
        "he: showing run seed1 (training selection Dice 0.9000, highest of 2 runs)" in caplog.text
    )

    (runs[1][2] / "t3.tif").unlink()
    with pytest.raises(InputError, match=r"t3\.tif: file does not exist"):
        fig3([(root, runs)], tmp_path / "again.png")
    assert not (tmp_path / "again.png").exists()
