"""contrastive training, selection and prediction on tiny H&E-like data; test labels never read."""

import json

import numpy as np
import pytest
import torch

from cellbench.data.layout import DatasetInfo, PreparedDataset, write_dataset
from cellbench.errors import InputError
from cellbench.evaluation import evaluate
from cellbench.methods.contrastive import supervised, threshold
from cellbench.methods.contrastive.checkpoint import load_checkpoint
from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.sweep import read_cell, run_cell
from cellbench.methods.contrastive.train import train
from cellbench.methods.predict import predict_dataset
from cellbench.methods.registry import load_segmenter
from tests.conftest import blob_image

TINY = ContrastiveConfig(
    seeds=[0],
    crop_size=48,
    patch_size=12,
    patch_stride=6,
    patches=4,
    batch_size=2,
    epochs=3,
    learning_rate=2e-3,
    loss_variant="code",
    cnn_epochs=3,
    threshold_grid=20,
)


@pytest.fixture
def he_dataset(tmp_path):
    """Dark nuclei on a pink background (RGB uint8), 4 train and 2 test images of 64²."""
    rng = np.random.default_rng(0)
    root = tmp_path / "he"
    with write_dataset(root, DatasetInfo(name="he", domain="histo", seed=0)) as writer:
        for i in range(6):
            grey, labels = blob_image(rng)
            nuclei = grey > 128
            image = np.empty((64, 64, 3), np.uint8)
            image[...] = (225, 170, 220)
            image[nuclei] = (110, 70, 160)
            writer.add(f"img{i}", image, labels, split="train" if i < 4 else "test")
    return root


@pytest.fixture
def no_test_labels(monkeypatch):
    """Fail loudly if anything reads the labels of a test image."""
    original = PreparedDataset.labels

    def guarded(self, image_id):
        if self.row(image_id)["split"] == "test":
            raise AssertionError(f"test labels of {image_id} were read")
        return original(self, image_id)

    monkeypatch.setattr(PreparedDataset, "labels", guarded)


def test_training_never_reads_test_labels_and_is_deterministic(
    he_dataset, tmp_path, no_test_labels
):
    torch.set_num_threads(1)
    first = load_checkpoint(train(he_dataset, tmp_path / "a.pt", TINY, seed=0, device="cpu"), "csl")
    again = load_checkpoint(train(he_dataset, tmp_path / "b.pt", TINY, seed=0, device="cpu"), "csl")
    assert first["train_images"] == ["img0", "img1", "img2", "img3"]
    assert first["n_parameters"] == 7372
    assert len(first["history"]["dice"]) == 3 and len(first["history"]["dice"][0]) == 4
    assert first["history"]["dice"] == again["history"]["dice"]
    assert first["epoch"] == again["epoch"] and first["channel"] == again["channel"]
    best = np.asarray(first["history"]["dice"]).max()
    assert first["train_dice"] == pytest.approx(best)
    assert first["useful"] == (best > 0)
    assert first["provenance"]["seed"] == 0


def test_baselines_and_prediction_through_the_shared_evaluation(he_dataset, tmp_path):
    torch.set_num_threads(1)
    model = train(he_dataset, tmp_path / "csl.pt", TINY, seed=1, device="cpu")
    cnn = supervised.train(he_dataset, tmp_path / "cnn.pt", TINY, device="cpu")
    thr = threshold.fit(he_dataset, tmp_path / "thr.json", TINY)
    fitted = json.loads(thr.read_text())
    # nuclei luma ≈ 0.37, background ≈ 0.75 (after the ε shift): t in between, Dice 1
    assert 0.37 < fitted["threshold"] < 0.76 and fitted["train_dice"] == pytest.approx(1.0)
    # One method, three kinds of model file: the shared prediction loads each through load().
    for run, path in [("seed1", model), ("cnn-seed1", cnn), ("threshold", thr)]:
        out = tmp_path / "pred" / run
        predict_dataset("contrastive", path, he_dataset, out, device="cpu", seed=1)
        summary = evaluate(
            he_dataset,
            out,
            tmp_path / run / "per_image.csv",
            tmp_path / run / "s.json",
            method="contrastive",
            run=run,
        )
        assert sorted(p.name for p in out.glob("*.tif")) == ["img4.tif", "img5.tif"]
    scores = json.loads((tmp_path / "threshold" / "s.json").read_text())["metrics"]
    assert scores["dice"] > 0.95 and scores["aji"] > 0.9
    labels = load_segmenter("contrastive", model, device="cpu").segment(
        PreparedDataset(he_dataset).image("img4")
    )
    assert labels.shape == (64, 64) and labels.dtype == np.uint32
    assert summary is not None


def test_rgba_and_16bit_inputs_segment(he_dataset, tmp_path):
    torch.set_num_threads(1)
    seg = load_segmenter("contrastive", train(he_dataset, tmp_path / "m.pt", TINY, 0, "cpu"), "cpu")
    rgb = PreparedDataset(he_dataset).image("img4")
    rgba = np.concatenate([rgb, np.full((*rgb.shape[:2], 1), 255, np.uint8)], axis=-1)
    sixteen = rgb.astype(np.uint16) * 257
    assert np.array_equal(seg.segment(rgba), seg.segment(rgb))
    assert np.array_equal(seg.segment(sixteen), seg.segment(rgb))
    with pytest.raises(InputError, match="channels"):
        seg.segment(rgb[..., 0])


def test_images_smaller_than_the_crop_are_rejected_before_training(he_dataset, tmp_path):
    with pytest.raises(InputError, match="smaller than the crop side"):
        train(he_dataset, tmp_path / "m.pt", TINY.model_copy(update={"crop_size": 80}), 0, "cpu")


def test_table1_run_trains_on_the_fit_images_and_scores_the_training_hold_out(
    he_dataset, tmp_path, no_test_labels
):
    torch.set_num_threads(1)
    first = run_cell(he_dataset, tmp_path / "a.json", TINY, 2, 8, 0, (0.25, 3), device="cpu")
    run_cell(he_dataset, tmp_path / "b.json", TINY, 2, 8, 0, (0.25, 3), device="cpu")
    again = read_cell(tmp_path / "b.json")
    assert len(first["validation_images"]) == 1 and len(first["fit_images"]) == 3
    assert sorted(first["fit_images"] + first["validation_images"]) == [
        "img0",
        "img1",
        "img2",
        "img3",
    ]
    assert (first["patches"], first["patch_size"], first["split_seed"]) == (2, 8, 3)
    assert 0 <= first["validation_dice"] <= 1
    assert again["validation_dice"] == first["validation_dice"]
    assert again["validation_images"] == first["validation_images"]
    with pytest.raises(InputError, match="not a contrastive Table 1 run file"):
        read_cell(tmp_path / "missing.json")
