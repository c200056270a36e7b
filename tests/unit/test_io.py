from pathlib import Path

import numpy as np
import pytest
import tifffile

from cellbench.errors import InputError
from cellbench.io import atomic_dir, atomic_path, read_image, read_labels, write_labels


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
    assert sorted(p.name for p in target.iterdir()) == ["a"]
