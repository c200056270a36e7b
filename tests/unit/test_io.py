import os
import stat
from pathlib import Path

import numpy as np
import pytest
import tifffile

from cellbench.errors import InputError
from cellbench.io import (
    OUTPUT_MARKER,
    atomic_dir,
    atomic_path,
    check_output_dir,
    read_image,
    read_labels,
    write_labels,
)


def test_write_labels_roundtrip_uint16(tmp_path: Path) -> None:
    labels = np.array([[0, 1], [2, 3]], dtype=np.int64)
    path = write_labels(tmp_path / "l.tif", labels)
    back = read_labels(path)
    assert back.dtype == np.uint16
    np.testing.assert_array_equal(back, labels)


def test_write_labels_promotes_to_uint32(tmp_path: Path) -> None:
    labels = np.array([[0, 70000]], dtype=np.int64)
    assert read_labels(write_labels(tmp_path / "l.tif", labels)).dtype == np.uint32


def test_write_labels_rejects_float(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="integer dtype"):
        write_labels(tmp_path / "l.tif", np.zeros((2, 2), dtype=np.float32))


def test_read_truncated_tiff_names_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.tif"
    tifffile.imwrite(path, np.arange(10000, dtype=np.uint16).reshape(100, 100))
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(InputError, match=r"broken\.tif"):
        read_image(path)


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_image(tmp_path / "nope.tif")


def test_read_labels_rejects_3d(tmp_path: Path) -> None:
    path = tmp_path / "rgb.tif"
    tifffile.imwrite(path, np.zeros((4, 4, 3), dtype=np.uint8))
    with pytest.raises(InputError, match="2-D"):
        read_labels(path)


def test_atomic_path_leaves_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "dir"
    with atomic_dir(target) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "b").write_text("2")
        raise RuntimeError("interrupted")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]
    assert sorted(p.name for p in target.iterdir()) == [OUTPUT_MARKER, "a"]


def test_atomic_dir_refuses_foreign_folder_and_keeps_its_files(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "precious.txt").write_text("keep")
    with (
        pytest.raises(InputError, match=r"not written by cellbench.*--overwrite"),
        atomic_dir(target) as tmp,
    ):
        (tmp / "a").write_text("1")
    assert (target / "precious.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    with atomic_dir(target, overwrite=True) as tmp:  # deliberate
        (tmp / "a").write_text("1")
    assert sorted(p.name for p in target.iterdir()) == [OUTPUT_MARKER, "a"]
    with atomic_dir(target) as tmp:  # ours now: replaced without --overwrite
        (tmp / "b").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == [OUTPUT_MARKER, "b"]


def test_current_directory_is_never_an_output(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / OUTPUT_MARKER).write_text("")
    monkeypatch.chdir(tmp_path / "sub")
    for out in (Path("."), Path(".."), tmp_path / "sub"):
        with pytest.raises(InputError, match="current directory"):
            check_output_dir(out, overwrite=True)
    check_output_dir(Path("new"))  # a new folder below is fine


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_outputs_follow_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        with atomic_dir(tmp_path / "d") as tmp:
            write_labels(tmp / "sub" / "l.tif", np.zeros((2, 2), np.uint16))
        with atomic_path(tmp_path / "f.txt") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(old)
    modes = {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in [tmp_path / "d", tmp_path / "d" / "sub", tmp_path / "d" / "sub" / "l.tif"]
    }
    modes["f.txt"] = stat.S_IMODE((tmp_path / "f.txt").stat().st_mode)
    assert modes == {
        "d": 0o777 & ~umask,
        "sub": 0o777 & ~umask,
        "l.tif": 0o666 & ~umask,
        "f.txt": 0o666 & ~umask,
    }


def test_a_generated_dataset_is_readable_by_the_group(tmp_path: Path) -> None:
    from cellbench.data.synth import generate

    old = os.umask(0o027)
    try:
        root = generate("dsb", tmp_path / "d", seed=0, size="tiny")
    finally:
        os.umask(old)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")] if p.is_dir()}
    assert modes == {0o750}
    modes = {stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*") if p.is_file()}
    assert modes == {0o640}
