"""The command line on hostile input (issue 18, items 2, 3 and 11): clear errors, no lost files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tifffile

from cellbench.cli import main
from cellbench.methods.otsu_watershed import fit


@pytest.fixture
def model(blob_dataset: Path, tmp_path: Path) -> Path:
    return fit(blob_dataset, tmp_path / "model.json")


def _segment(model: Path, *args: str) -> int:
    return main(["segment", "otsu_watershed", str(model), *args])


def _image(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(path, array, photometric="minisblack")
    return path


# item 2: segment never overwrites its input nor loses a result


def test_segment_refuses_to_overwrite_its_input(blob_dataset: Path, model: Path, tmp_path, capsys):
    image = tifffile.imread(blob_dataset / "images" / "img4.tif")
    original = _image(tmp_path / "in" / "img.tif", image)
    before = original.read_bytes()
    assert _segment(model, str(original), "--out", str(tmp_path / "in")) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert original.read_bytes() == before


def test_segment_refuses_two_inputs_with_one_output(
    blob_dataset: Path, model: Path, tmp_path, capsys
):
    image = tifffile.imread(blob_dataset / "images" / "img4.tif")
    a = _image(tmp_path / "a" / "x.tif", image)
    b = _image(tmp_path / "b" / "x.tif", image)
    assert _segment(model, str(a), str(b), "--out", str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert "b/x.tif" in err and "a/x.tif" in err and "same file name" in err
    assert not (tmp_path / "o").exists()
    (tmp_path / "file").write_text("")
    assert _segment(model, str(a), "--out", str(tmp_path / "file")) == 2
    assert "is not a folder" in capsys.readouterr().err


# item 3: segment rejects what it cannot segment, before any work


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((5, 40, 40), np.uint8), r"3-D stack of 5 planes.*--axes CYX"),
        (np.zeros((3, 40, 40), np.uint8), r"channel-first.*--axes CYX"),
        (np.zeros((2, 3, 40, 40), np.uint8), r"4-D image"),
        (np.where(np.eye(40) > 0, np.nan, 0.5).astype(np.float32), "40 NaN or infinite"),
        (np.where(np.eye(40) > 0, -np.inf, 0.5).astype(np.float32), "40 NaN or infinite"),
    ],
)
def test_segment_rejects_unsegmentable_images(
    model: Path, tmp_path: Path, capsys, array: np.ndarray, message: str
) -> None:
    path = _image(tmp_path / "bad.tif", array)
    assert _segment(model, str(path), "--out", str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert "bad.tif" in err
    assert re.search(message, err), err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("scale", ["0", "-1", "nan", "inf"])
def test_segment_rejects_bad_scale(blob_dataset: Path, model: Path, tmp_path, capsys, scale):
    image = str(blob_dataset / "images" / "img4.tif")
    assert _segment(model, image, "--out", str(tmp_path / "o"), f"--scale={scale}") == 2
    assert "scale" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_segment_channel_first_with_axes(blob_dataset: Path, model: Path, tmp_path: Path) -> None:
    grey = tifffile.imread(blob_dataset / "images" / "img4.tif")
    path = _image(tmp_path / "cf.tif", np.stack([grey] * 3))
    assert _segment(model, str(path), "--out", str(tmp_path / "o"), "--axes", "CYX") == 0
    assert tifffile.imread(tmp_path / "o" / "cf.tif").shape == grey.shape


# item 11: evaluate's rough edges


def test_evaluate_missing_folders_are_named(blob_dataset: Path, tmp_path: Path, capsys) -> None:
    assert main(["evaluate", str(tmp_path / "missing_dir"), str(tmp_path)]) == 2
    assert "missing_dir: ground truth not found" in capsys.readouterr().err
    assert main(["evaluate", str(blob_dataset), str(tmp_path / "nopred")]) == 2
    assert "nopred: prediction folder not found" in capsys.readouterr().err


def test_evaluate_into_a_closed_pipe_keeps_its_files(blob_dataset: Path, tmp_path: Path) -> None:
    labels = blob_dataset / "labels"
    command = [sys.executable, "-m", "cellbench.cli", "evaluate", str(labels), str(labels)]
    process = subprocess.Popen(
        [*command, "--out", str(tmp_path / "ev")], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()  # like `| head` that has already exited
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "ev" / "summary.json").is_file()
    assert (tmp_path / "ev" / "per_image.csv").is_file()


def test_truncated_tiff_gives_one_message(tmp_path: Path) -> None:
    path = tmp_path / "stack.tif"
    stack = np.arange(8 * 64 * 64, dtype=np.uint8).reshape(8, 64, 64)
    tifffile.imwrite(path, stack, compression="lzw", rowsperstrip=8)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # tifffile logs ERRORs
    result = subprocess.run(
        [sys.executable, "-m", "cellbench.cli", "evaluate", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        line for line in result.stderr.splitlines() if line.startswith("cellbench evaluate")
    ]
    assert "stack.tif: cannot be read" in result.stderr and "damaged" in result.stderr
