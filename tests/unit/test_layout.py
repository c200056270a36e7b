from pathlib import Path

import numpy as np
import pytest

from cellbench.data.layout import DatasetInfo, PreparedDataset, check_consecutive, write_dataset
from cellbench.errors import InputError


def test_blob_dataset_layout(blob_dataset: Path) -> None:
    dataset = PreparedDataset(blob_dataset)
    assert dataset.name == "blobs"
    assert dataset.image_ids(split="train") == ["img0", "img1", "img2", "img3"]
    assert dataset.evaluation_ids() == ["img4", "img5"]
    assert dataset.labels("img4").dtype == np.uint16
    assert dataset.image("img4").shape == (64, 64)


def test_non_consecutive_labels_rejected() -> None:
    with pytest.raises(InputError, match="not consecutive"):
        check_consecutive(np.array([[0, 1], [3, 3]]))


def test_shape_mismatch_rejected_and_nothing_written(tmp_path: Path) -> None:
    root = tmp_path / "bad"
    with (
        pytest.raises(InputError, match="differs from image shape"),
        write_dataset(root, DatasetInfo(name="bad", domain="test")) as writer,
    ):
        writer.add("a", np.zeros((4, 4)), np.zeros((4, 5), dtype=np.uint16), split="train")
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []


def test_partial_annotations_not_scored(tmp_path: Path) -> None:
    root = tmp_path / "d"
    labels = np.array([[0, 1]], dtype=np.uint16)
    with write_dataset(root, DatasetInfo(name="d", domain="test")) as writer:
        writer.add("a", np.zeros((1, 2)), labels, split="test", partial=True)
        writer.add("b", np.zeros((1, 2)), labels, split="test")
        writer.add("c", np.zeros((1, 2)), None, split="test")
    assert PreparedDataset(root).evaluation_ids() == ["b"]


def test_missing_index_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"index\.tsv"):
        PreparedDataset(tmp_path)
