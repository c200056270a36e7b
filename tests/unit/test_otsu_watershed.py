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
