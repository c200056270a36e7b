import json
from pathlib import Path

import numpy as np
import pytest

from cellbench.errors import InputError
from cellbench.io import read_labels
from cellbench.methods.otsu_watershed import fit
from cellbench.methods.predict import predict_dataset, rescale_image, restore_labels, segment_image


class Echo:
    """A fake segmenter that labels everything above the mean as one object."""

    def segment(self, image: np.ndarray) -> np.ndarray:
        return (image > image.mean()).astype(np.uint16)


class WrongShape:
    def segment(self, image: np.ndarray) -> np.ndarray:
        return np.zeros((3, 3), dtype=np.uint16)


def test_segment_image_maps_scale_back() -> None:
    image = np.zeros((40, 30), dtype=np.uint8)
    image[10:20, 10:20] = 255
    labels = segment_image(Echo(), image, scale=0.5)
    assert labels.shape == (40, 30)
    assert labels[15, 15] == 1 and labels[0, 0] == 0


def test_segment_image_rejects_wrong_shape() -> None:
    with pytest.raises(InputError, match="labels of shape"):
        segment_image(WrongShape(), np.zeros((8, 8)))


def test_rescale_keeps_dtype_and_restore_is_nearest() -> None:
    image = np.arange(64, dtype=np.uint16).reshape(8, 8)
    assert rescale_image(image, 2.0).shape == (16, 16)
    assert rescale_image(image, 2.0).dtype == np.uint16
    labels = np.array([[1, 2], [3, 4]], dtype=np.uint16)
    assert set(np.unique(restore_labels(labels, (5, 5)))) == {1, 2, 3, 4}


def test_predict_dataset_writes_every_test_image(blob_dataset: Path, tmp_path: Path) -> None:
    model = fit(blob_dataset, tmp_path / "model.json")
    out = tmp_path / "pred"
    written = predict_dataset(
        "otsu_watershed", model, blob_dataset, out, seed=None, config_digest="x"
    )
    assert sorted(p.name for p in written) == ["img4.tif", "img5.tif"]
    assert read_labels(out / "img4.tif").shape == (64, 64)
    record = json.loads((out / "provenance.json").read_text())
    assert record["method"] == "otsu_watershed" and len(record["model_sha256"]) == 64


def test_unknown_method(blob_dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="unknown method"):
        predict_dataset("nope", tmp_path / "m", blob_dataset, tmp_path / "p")


def test_predict_dataset_checks_scale_and_images_before_work(
    blob_dataset: Path, tmp_path: Path
) -> None:
    """The `<method>_predict` rules share segment_files' checks (issue 18 item 3)."""
    import tifffile

    model = fit(blob_dataset, tmp_path / "model.json")
    with pytest.raises(InputError, match="finite number > 0"):
        predict_dataset("otsu_watershed", model, blob_dataset, tmp_path / "p", scale=0.0)
    image = blob_dataset / "images" / "img4.tif"
    tifffile.imwrite(image, np.full((64, 64), np.nan, np.float32))
    with pytest.raises(InputError, match=r"img4\.tif: image contains 4096 NaN"):
        predict_dataset("otsu_watershed", model, blob_dataset, tmp_path / "p")
    assert not (tmp_path / "p").exists()


class Diagnosed(Echo):
    """A segmenter reporting its own health, as cellulus does."""

    def diagnostics(self) -> dict[str, int]:
        return {"foreground_failures": 2}


def test_segmenter_diagnostics_are_recorded(blob_dataset: Path, tmp_path: Path) -> None:
    from cellbench.data.layout import PreparedDataset
    from cellbench.methods.predict import write_predictions

    dataset = PreparedDataset(blob_dataset)
    out = tmp_path / "pred"
    write_predictions(Diagnosed(), dataset, ["img4"], out, {"method": "echo"})
    record = json.loads((out / "provenance.json").read_text())
    assert record == {"method": "echo", "diagnostics": {"foreground_failures": 2}}
