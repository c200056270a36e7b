import json
from pathlib import Path

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.methods.otsu_watershed import OtsuWatershedModel, fit, load, to_grey
from tests.conftest import blob_image


def test_separates_isolated_blobs() -> None:
    image, labels = blob_image(np.random.default_rng(1), n=4)
    predicted = OtsuWatershedModel(object_radius=6).segment(image)
    assert predicted.shape == labels.shape
    assert len(np.unique(predicted)) - 1 == 4


def test_dark_objects_on_bright_background() -> None:
    image, labels = blob_image(np.random.default_rng(2), n=3)
    predicted = OtsuWatershedModel(object_radius=6).segment(255 - image)
    assert len(np.unique(predicted)) - 1 == 3
    assert (predicted[labels == 0] == 0).mean() > 0.95


def test_splits_two_touching_discs() -> None:
    yy, xx = np.mgrid[:40, :60]
    image = (
        ((yy - 20) ** 2 + (xx - 20) ** 2 < 100) | ((yy - 20) ** 2 + (xx - 38) ** 2 < 100)
    ) * 200
    predicted = OtsuWatershedModel(object_radius=10, smoothing_sigma=0.5).segment(
        image.astype(np.uint8)
    )
    assert len(np.unique(predicted)) - 1 == 2


def test_constant_image_gives_no_objects() -> None:
    assert OtsuWatershedModel(object_radius=5).segment(np.full((16, 16), 7)).max() == 0


def test_fit_estimates_radius_and_roundtrips(blob_dataset: Path, tmp_path: Path) -> None:
    path = fit(blob_dataset, tmp_path / "model.json", config_digest="abc")
    record = json.loads(path.read_text())
    assert 4.5 < record["model"]["object_radius"] < 8
    assert record["provenance"]["config_hash"] == "abc"
    assert load(path).object_radius == record["model"]["object_radius"]


def test_load_rejects_foreign_file(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text("{}")
    with pytest.raises(InputError, match="not an otsu_watershed model"):
        load(tmp_path / "m.json")


def test_to_grey_rgb_and_rejects_4d() -> None:
    assert to_grey(np.ones((4, 4, 3))).shape == (4, 4)
    with pytest.raises(InputError):
        to_grey(np.ones((2, 2, 2, 2)))


def dim_and_bright_blobs() -> tuple[np.ndarray, np.ndarray]:
    """Two bright and two dim discs on a dark background (fluorescence with uneven staining)."""
    yy, xx = np.mgrid[:80, :80]
    image = np.full((80, 80), 2.0)
    labels = np.zeros((80, 80), dtype=np.uint16)
    for index, (y, x, value) in enumerate(
        [(20, 20, 250.0), (20, 60, 250.0), (60, 20, 25.0), (60, 60, 25.0)], start=1
    ):
        inside = (yy - y) ** 2 + (xx - x) ** 2 < 64
        image[inside] = value
        labels[inside] = index
    return image, labels


def test_plain_otsu_loses_dim_nuclei_log_otsu_keeps_them() -> None:
    image, _ = dim_and_bright_blobs()
    assert OtsuWatershedModel(object_radius=8).segment(image).max() == 2
    assert OtsuWatershedModel(object_radius=8, threshold="log_otsu").segment(image).max() == 4


def test_fit_chooses_threshold_on_training_split(tmp_path: Path) -> None:
    from cellbench.data.layout import DatasetInfo, write_dataset
    from cellbench.methods.otsu_watershed import fit_model

    image, labels = dim_and_bright_blobs()
    root = tmp_path / "dim"
    with write_dataset(root, DatasetInfo(name="dim", domain="test", seed=0)) as writer:
        writer.add("a", image.astype(np.uint16), labels, split="train")
        writer.add("b", image.astype(np.uint16), labels, split="test")
    from cellbench.data.layout import PreparedDataset

    model, scores = fit_model(PreparedDataset(root))
    assert model.threshold in ("log_otsu", "li") and model.channel == "mean"
    assert {s["threshold"] for s in scores} == {"otsu", "log_otsu", "li"}
    assert max(s["f1"] for s in scores) == 1.0 and min(s["f1"] for s in scores) < 1.0
    assert 7 < model.object_radius < 9 and model.smoothing_sigma == 1.0


def test_haematoxylin_channel_of_colour_image() -> None:
    from cellbench.methods.otsu_watershed import is_colour

    rgb = np.full((8, 8, 3), (230, 180, 210), dtype=np.uint8)  # pink eosin
    rgb[2:5, 2:5] = (70, 40, 140)  # purple haematoxylin
    assert is_colour(rgb) and not is_colour(np.repeat(rgb[..., :1], 3, axis=-1))
    grey = to_grey(rgb, "haematoxylin")
    assert grey[3, 3] == 1.0 and grey[0, 0] == 0.0


def test_excess_green_separates_leaf_from_soil_of_the_same_brightness() -> None:
    rgb = np.full((8, 8, 3), (120, 90, 60), dtype=np.uint8)  # brown soil, mean 90
    rgb[2:5, 2:5] = (60, 150, 60)  # green leaf, mean 90
    assert to_grey(rgb, "mean").max() == 0.0  # no contrast in the channel mean
    # 2g - r - b of the chromatic coordinates: leaf (300 - 120) / 270 = 2/3, soil 0
    grey = to_grey(rgb, "excess_green")
    assert grey[3, 3] == 1.0 and grey[0, 0] == 0.0
    grey_image = np.repeat(rgb[..., :1], 3, axis=-1)
    assert np.array_equal(to_grey(grey_image, "excess_green"), to_grey(grey_image, "mean"))
