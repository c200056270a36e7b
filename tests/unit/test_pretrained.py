"""Pretrained StarDist/Cellpose baselines: inputs, outputs and provenance, with stand-in models
(the real ones need envs/pretrained.yaml and download their weights)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from skimage.measure import label

from cellbench.io import read_labels
from cellbench.methods import pretrained
from cellbench.methods.cellulus.data import normalise
from cellbench.methods.pretrained import (
    CellposeSegmenter,
    StarDistSegmenter,
    cellpose_input,
    grey,
    predict_pretrained,
)


class FakeStarDist:
    """Labels the connected pixels above 0.5 of the input, with gaps in the label ids."""

    def __init__(self) -> None:
        self.inputs: list[np.ndarray] = []

    def predict_instances(self, image: np.ndarray):
        self.inputs.append(image)
        return label(image > 0.5) * 3, {}


class FakeCellpose:
    def __init__(self, outputs: int) -> None:
        self.outputs, self.calls = outputs, []

    def eval(self, image: np.ndarray, **options):
        self.calls.append((image, options))
        grey_image = image if image.ndim == 2 else image.mean(axis=-1)
        masks = label(grey_image > grey_image.mean()) + 10 * (grey_image > grey_image.mean())
        return (masks, None, None, None)[: self.outputs]


def test_grey_normalisation_and_cellpose_channel_roles() -> None:
    two = np.stack([np.full((4, 4), 2.0), np.full((4, 4), 4.0)], axis=-1)
    assert grey(two).tolist() == np.full((4, 4), 3.0).tolist()
    ramp = np.arange(1001, dtype=np.float64)
    scaled = normalise(ramp[None], *pretrained.PERCENTILES)[0, 0]
    assert scaled.dtype == np.float32
    assert scaled[10] == pytest.approx(0.0) and scaled[998] == pytest.approx(1.0)
    data, roles = cellpose_input(two, ("nucleus", "membrane"))
    assert data is two and roles == [2, 1]  # cytoplasm = membrane (2nd), nucleus = 1st
    data, roles = cellpose_input(two, ("red", "green"))
    assert data.ndim == 2 and roles == [0, 0]


def test_stardist_gets_normalised_grey_and_labels_become_consecutive() -> None:
    model = FakeStarDist()
    image = np.zeros((20, 20, 2), dtype=np.uint8)
    image[2:6, 2:6] = 200
    image[10:15, 10:15] = 250
    labels = StarDistSegmenter(model).segment(image)
    assert model.inputs[0].ndim == 2 and model.inputs[0].max() >= 1.0
    assert labels.dtype == np.uint32 and sorted(np.unique(labels)) == [0, 1, 2]


@pytest.mark.parametrize("major", [3, 4])
def test_cellpose_call_convention_per_major_version(major: int) -> None:
    model = FakeCellpose(outputs=4 if major == 3 else 3)
    image = np.zeros((16, 16, 2), dtype=np.float32)
    image[4:9, 4:9, 1] = 1.0
    labels = CellposeSegmenter(model, ("nucleus", "membrane"), 0.0, major).segment(image)
    data, options = model.calls[0]
    assert options["diameter"] is None and options["channel_axis"] == -1
    assert data.shape == (16, 16, 2)
    assert ("channels" in options) == (major == 3)
    if major == 3:
        assert options["channels"] == [2, 1]
    assert sorted(np.unique(labels)) == [0, 1]


def test_predict_pretrained_writes_predictions_with_provenance(
    blob_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pretrained, "load_stardist", lambda name: StarDistSegmenter(FakeStarDist()))
    monkeypatch.setattr(pretrained, "tool_version", lambda tool: "0.9.2")
    out = tmp_path / "pred"
    written = predict_pretrained(
        "stardist", blob_dataset, out, model_name="2D_versatile_fluo", device="cpu"
    )
    assert [p.name for p in written] == ["img4.tif", "img5.tif"]
    assert read_labels(written[0]).max() >= 1
    record = json.loads((out / "provenance.json").read_text())
    assert record["model"] == "2D_versatile_fluo" and record["tool_version"] == "0.9.2"
    assert record["provenance"]["device"].startswith("cpu")


def test_missing_tools_and_unknown_names_are_clear_errors(
    blob_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match="unknown pretrained tool"):
        predict_pretrained("sam", blob_dataset, tmp_path / "x", model_name="m")
    monkeypatch.setitem(sys.modules, "stardist.models", None)  # as without tensorflow
    with pytest.raises(RuntimeError, match=r"envs/pretrained\.yaml"):
        pretrained.load_stardist("2D_versatile_fluo")
    with pytest.raises(RuntimeError, match="not installed"):
        pretrained.tool_version("no-such-tool-cellbench")
    assert not (tmp_path / "x").exists()


def test_stardist_wrapper_runs_the_real_api(tmp_path: Path) -> None:
    """With envs/pretrained.yaml (tensorflow): an untrained StarDist2D, no weights downloaded."""
    pytest.importorskip("tensorflow")
    from stardist.models import Config2D, StarDist2D

    config = Config2D(n_rays=8, grid=(2, 2), n_channel_in=1, unet_n_depth=2, unet_n_filter_base=8)
    model = StarDist2D(config, name="untrained", basedir=str(tmp_path))
    image = np.random.default_rng(0).uniform(0, 255, (96, 80, 2)).astype(np.uint8)
    labels = StarDistSegmenter(model).segment(image)
    assert labels.shape == (96, 80) and labels.dtype == np.uint32
