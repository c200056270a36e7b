"""Preparing real datasets safely (issue 18): incomplete sources, linked folders, stale
unpacked copies, ``file:`` sources and output folders cellbench did not write."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tifffile
from PIL import Image

from cellbench.cli import main
from cellbench.data.layout import PreparedDataset
from cellbench.data.sources.prepare import prepare
from cellbench.errors import InputError
from cellbench.tables.write import write_table

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "config" / "datasets.yaml"
CTC = "Fluo-N2DH-SIM+"


def _seg(shape: tuple[int, int] = (16, 16)) -> np.ndarray:
    seg = np.zeros(shape, np.uint16)
    seg[2:6, 2:6] = 4
    seg[9:14, 9:14] = 8
    return seg


def ctc_tree(root: Path, value: int = 100) -> Path:
    """A complete CTC training set: 2 frames per sequence, SEG for one of them, TRA for all."""
    base = root / CTC
    for sequence in ("01", "02"):
        for t in range(2):
            path = base / sequence / f"t{t:03d}.tif"
            path.parent.mkdir(parents=True, exist_ok=True)
            tifffile.imwrite(path, np.full((16, 16), value + t, np.uint16))
            tra = base / f"{sequence}_GT" / "TRA" / f"man_track{t:03d}.tif"
            tra.parent.mkdir(parents=True, exist_ok=True)
            tifffile.imwrite(tra, (_seg() > 0).astype(np.uint16))
        seg = base / f"{sequence}_GT" / "SEG" / "man_seg001.tif"
        seg.parent.mkdir(parents=True, exist_ok=True)
        tifffile.imwrite(seg, _seg())
    return root


def _png(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def dsb_tree(root: Path) -> Path:
    """stage1_train (2 images with masks), stage1_test (1 image) and its solution rows."""
    shape = (20, 24)
    for image_id in ("aaa1", "bbb2"):
        folder = root / "stage1_train" / image_id
        _png(folder / "images" / f"{image_id}.png", np.full((*shape, 3), 90, np.uint8))
        for j, (y, x) in enumerate([(3, 3), (10, 12)]):
            mask = np.zeros(shape, np.uint8)
            mask[y : y + 4, x : x + 4] = 255
            _png(folder / "masks" / f"m{j}.png", mask)
    _png(root / "stage1_test/ccc3/images/ccc3.png", np.full((*shape, 3), 50, np.uint8))
    (root / "stage1_solution.csv").write_text(
        "ImageId,EncodedPixels,Height,Width,Usage\nccc3,1 3 21 3,20,24,Public\n"
    )
    return root


def _prepare(dataset: str, source: Path, tmp_path: Path, **kwargs) -> Path:
    return prepare(dataset, source, tmp_path / "out", tmp_path / "dl", catalog=CATALOG, **kwargs)


# item 5: incomplete sources are refused, or accepted deliberately and recorded


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("02_GT", r"02_GT/SEG/ \(ground truth of sequence 02\) is missing"),
        ("02_GT/SEG/man_seg001.tif", "02_GT/SEG/ has no man_seg"),
        ("02", "02/ is missing"),
        ("01_GT/TRA", "01_GT/TRA/"),
    ],
)
def test_incomplete_ctc_is_refused(tmp_path: Path, remove: str, message: str) -> None:
    source = ctc_tree(tmp_path / "src")
    target = source / CTC / remove
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    with pytest.raises(InputError, match=message) as info:
        _prepare("ctc-sim", source, tmp_path)
    assert "--allow-incomplete" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_incomplete_ctc_accepted_is_recorded_and_tabled(tmp_path: Path) -> None:
    source = ctc_tree(tmp_path / "src")
    shutil.rmtree(source / CTC / "02_GT")
    out = _prepare("ctc-sim", source, tmp_path, allow_incomplete=True)
    incomplete = json.loads((out / "dataset.json").read_text())["extra"]["incomplete"]
    assert len(incomplete) == 2 and "02_GT/SEG" in incomplete[0]
    assert PreparedDataset(out).image_ids(split="test") == []
    table = pd.DataFrame(
        [{"dataset": "ctc-sim", "f1": 0.5, "dataset_incomplete": "; ".join(incomplete)}]
    )
    write_table(table, [tmp_path / "t.md"], "T")
    assert "INCOMPLETE DATASET ctc-sim" in (tmp_path / "t.md").read_text()


def test_complete_ctc_prepares_both_sequences(tmp_path: Path) -> None:
    out = _prepare("ctc-sim", ctc_tree(tmp_path / "src"), tmp_path)
    data = PreparedDataset(out)
    assert data.image_ids(split="test") == ["02_t001"]
    assert "incomplete" not in data.info.extra


def test_dsb_without_solution_or_masks_is_refused(tmp_path: Path) -> None:
    source = dsb_tree(tmp_path / "src")
    shutil.rmtree(source / "stage1_train" / "bbb2" / "masks")
    with pytest.raises(InputError, match=r"1 stage1_train image folder\(s\) without masks.*bbb2"):
        _prepare("dsb2018", source, tmp_path)
    (source / "stage1_solution.csv").unlink()
    with pytest.raises(InputError, match=r"no stage1_solution\.csv"):
        _prepare("dsb2018", source, tmp_path)
    out = _prepare("dsb2018", source, tmp_path, allow_incomplete=True)
    data = PreparedDataset(out)
    assert len(data.info.extra["incomplete"]) == 2
    index = data.index.set_index("image_id")
    assert index.loc["bbb2", "origin"] == "stage1_train"  # not silently moved to stage1_test
    assert not index.loc["bbb2", "has_labels"] and not index.loc["ccc3", "has_labels"]


def test_dsb_solution_image_missing_is_refused(tmp_path: Path) -> None:
    source = dsb_tree(tmp_path / "src")
    shutil.rmtree(source / "stage1_test")
    with pytest.raises(InputError, match="is stage1_test missing"):
        _prepare("dsb2018", source, tmp_path)


# item 10: dataset folders made of symbolic links


def test_linked_dataset_folders_are_followed(tmp_path: Path) -> None:
    shared = dsb_tree(tmp_path / "shared" / "dsb")
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("stage1_train", "stage1_test", "stage1_solution.csv"):
        (mine / name).symlink_to(shared / name)
    (mine / "stage1_train" / "loop").symlink_to(mine)  # a cycle must not hang the search
    data = PreparedDataset(_prepare("dsb2018", mine, tmp_path))
    assert data.image_ids() == ["aaa1", "bbb2", "ccc3"]
    assert data.labels("ccc3").max() == 1 and data.labels("aaa1").max() == 2

    ctc_shared = ctc_tree(tmp_path / "shared" / "ctc")
    linked = tmp_path / "ctc-linked" / CTC
    linked.mkdir(parents=True)
    for entry in (ctc_shared / CTC).iterdir():
        (linked / entry.name).symlink_to(entry)
    out = prepare("ctc-sim", linked.parent, tmp_path / "ctc-out", tmp_path / "dl", catalog=CATALOG)
    assert len(PreparedDataset(out).image_ids()) == 3


# item 4: an accepted (or new) archive rebuilds the unpacked copy; file: sources


def _zip_tree(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return archive


def test_accepted_archive_replaces_the_stale_unpacked_copy(tmp_path: Path) -> None:
    archive = _zip_tree(ctc_tree(tmp_path / "v1"), tmp_path / f"{CTC}.zip")
    first = PreparedDataset(_prepare("ctc-sim", archive, tmp_path))
    assert int(first.image("01_t000").max()) == 100
    _zip_tree(ctc_tree(tmp_path / "v2", value=200), archive)  # another release, same name
    with pytest.raises(InputError, match=r"lock file .*\.sha256"):
        _prepare("ctc-sim", archive, tmp_path)
    second = PreparedDataset(_prepare("ctc-sim", archive, tmp_path, accept_checksum=True))
    assert int(second.image("01_t000").max()) == 200


def test_file_url_source(tmp_path: Path) -> None:
    archive = _zip_tree(ctc_tree(tmp_path / "v1"), tmp_path / f"{CTC}.zip")
    for source in (archive.as_uri(), f"file:{archive}"):
        shutil.rmtree(tmp_path / "dl", ignore_errors=True)
        data = PreparedDataset(_prepare("ctc-sim", source, tmp_path))
        assert len(data.image_ids()) == 3


# item 1: never delete what cellbench did not write


def test_prepare_refuses_a_foreign_output_folder_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="--overwrite"):
        _prepare("ctc-sim", tmp_path / "does-not-matter", tmp_path)
    assert (out / "notes.txt").read_text() == "mine" and not (tmp_path / "dl").exists()
    data = _prepare("ctc-sim", ctc_tree(tmp_path / "src"), tmp_path, overwrite=True)
    assert not (data / "notes.txt").exists()


@pytest.mark.parametrize("command", ["synth", "prepare"])
def test_cli_never_empties_the_current_directory(
    command: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("keep")
    args = {
        "synth": ["synth", "dsb", "--size", "tiny", "--out", ".", "--overwrite"],
        "prepare": ["prepare", "ctc-sim", "--source", "x", "--out", ".", "--catalog", str(CATALOG)],
    }[command]
    assert main(args) == 2
    assert "current directory" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_cli_synth_existing_folder_needs_overwrite(tmp_path: Path, capsys) -> None:
    out = tmp_path / "existing"
    out.mkdir()
    (out / "precious").write_text("x")
    assert main(["synth", "dsb", "--size", "tiny", "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err and (out / "precious").is_file()
    assert main(["synth", "dsb", "--size", "tiny", "--out", str(out), "--overwrite"]) == 0
    assert not (out / "precious").exists() and (out / "index.tsv").is_file()
    assert main(["synth", "dsb", "--size", "tiny", "--out", str(out)]) == 0  # ours: replaced
