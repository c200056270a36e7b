"""Synthetic dataset suite: determinism, label validity, layout and non-trivial statistics."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from cellbench.cli import main
from cellbench.data.layout import PreparedDataset
from cellbench.data.synth import DOMAINS, generate, parameters
from cellbench.errors import InputError


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("synth")
    roots = {}
    for domain in DOMAINS:
        start = time.perf_counter()
        roots[domain] = generate(domain, out / f"synth-{domain}", seed=3, size="tiny")
        assert time.perf_counter() - start < 3.0, f"{domain} tiny build too slow"
    return roots


@pytest.mark.parametrize("domain", DOMAINS)
def test_deterministic(domain: str, tiny: dict[str, Path], tmp_path: Path) -> None:
    again = generate(domain, tmp_path / "a", seed=3, size="tiny")
    assert files(again) == files(tiny[domain])
    other = PreparedDataset(generate(domain, tmp_path / "b", seed=4, size="tiny"))
    first = PreparedDataset(tiny[domain])
    image_id = first.image_ids()[0]
    assert not np.array_equal(first.image(image_id), other.image(image_id))


@pytest.mark.parametrize("domain", DOMAINS)
def test_labels_valid(domain: str, tiny: dict[str, Path]) -> None:
    dataset = PreparedDataset(tiny[domain])
    assert dataset.info.name == f"synth-{domain}" and dataset.info.seed == 3
    assert dataset.info.extra["size"] == "tiny"
    for image_id in dataset.image_ids():
        labels = dataset.labels(image_id)
        assert labels.dtype == np.uint16
        ids = np.unique(labels)
        assert ids[0] == 0 and ids.size > 1
        np.testing.assert_array_equal(ids, np.arange(ids.size))
        assert labels.shape == dataset.image(image_id).shape[:2]


@pytest.mark.parametrize("domain", DOMAINS)
def test_images_not_trivial(domain: str, tiny: dict[str, Path]) -> None:
    dataset = PreparedDataset(tiny[domain])
    for image_id in dataset.image_ids():
        image = dataset.image(image_id).astype(np.float64)
        grey = image.mean(axis=-1) if image.ndim == 3 else image
        labels = dataset.labels(image_id)
        assert grey[labels > 0].std() > 0.01 * grey.std()
        assert grey[labels == 0].std() > 0
        pixels = image.reshape(labels.size, -1)
        contrast = pixels[labels.ravel() > 0].mean(0) - pixels[labels.ravel() == 0].mean(0)
        assert np.linalg.norm(contrast) > 0.1 * image.std()  # objects differ in colour or level


def test_dsb_layout(tiny: dict[str, Path]) -> None:
    dataset = PreparedDataset(tiny["dsb"])
    index = dataset.index
    assert sorted(index["group"].unique()) == [f"CT{i}" for i in range(1, 8)]
    assert set(index["split"]) == {"train", "test"}
    assert (index[index["split"] == "test"].groupby("group").size() == 2).all()
    assert (index[index["split"] == "train"].groupby("group").size() >= 1).all()
    for image_id in dataset.image_ids():
        image = dataset.image(image_id)
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[-1] == 3
    grey = dataset.image(dataset.image_ids(group="CT1")[0])
    np.testing.assert_array_equal(grey[..., 0], grey[..., 2])


def test_dsb_default_counts() -> None:
    from cellbench.data.synth.dsb import type_counts

    counts = type_counts(
        **{k: parameters("dsb")[k] for k in ("total", "min_train", "test_per_type")}
    )
    assert counts["CT1"] > counts["CT5"] > counts["CT7"] > counts["CT3"] >= 2
    assert sum(counts.values()) + 14 == parameters("dsb")["total"]


def test_ctc_layout(tiny: dict[str, Path]) -> None:
    dataset = PreparedDataset(tiny["ctc"])
    index = dataset.index
    assert set(zip(index["group"].astype(str).str.zfill(2), index["split"], strict=True)) == {
        ("01", "train"),
        ("02", "test"),
    }
    assert index["image_id"].iloc[0] == "01_t000" and "frame" in index.columns
    assert dataset.image("01_t000").dtype == np.uint16 and dataset.image("01_t000").ndim == 2


def test_tissuenet_layout(tiny: dict[str, Path]) -> None:
    dataset = PreparedDataset(tiny["tissuenet"])
    assert dataset.info.channels == ("nucleus", "membrane")
    assert set(dataset.index["split"]) == {"train", "val", "test"}
    image = dataset.image(dataset.image_ids()[0])
    assert image.ndim == 3 and image.shape[-1] == 2


def test_marrow_layout(tiny: dict[str, Path]) -> None:
    dataset = PreparedDataset(tiny["marrow"])
    assert len(dataset.info.categories) == 5
    objects = dataset.objects()
    assert set(objects["category"]) <= set(dataset.info.categories)
    for image_id in dataset.image_ids():
        labels = dataset.labels(image_id)
        mine = objects[objects["image_id"] == image_id]
        assert sorted(mine["label"]) == list(range(1, int(labels.max()) + 1))
    assert set(dataset.index["group"]) == {"normal", "abnormal"}
    assert (dataset.index["group"] == dataset.index["image_label"]).all()


def test_marrow_abnormal_has_more_myeloblasts(tmp_path: Path) -> None:
    dataset = PreparedDataset(
        generate("marrow", tmp_path / "m", seed=0, size="tiny", images=8, cells=30)
    )
    merged = dataset.objects().merge(dataset.index, on="image_id")
    share = merged.groupby("image_label")["category"].apply(lambda c: (c == "myeloblast").mean())
    assert share["abnormal"] > share["normal"] + 0.15


@pytest.mark.parametrize("domain", ["histo", "leaves"])
def test_train_test_layout(domain: str, tiny: dict[str, Path]) -> None:
    dataset = PreparedDataset(tiny[domain])
    assert set(dataset.index["split"]) == {"train", "test"}
    image = dataset.image(dataset.image_ids()[0])
    assert image.dtype == np.uint8 and image.shape[-1] == 3


def test_unknown_parameters_rejected() -> None:
    with pytest.raises(InputError):
        parameters("dsb", "tiny", nonsense=1)
    with pytest.raises(InputError):
        parameters("nope")


def test_cli(tmp_path: Path) -> None:
    assert (
        main(["synth", "leaves", "--out", str(tmp_path / "l"), "--seed", "1", "--size", "tiny"])
        == 0
    )
    assert PreparedDataset(tmp_path / "l").info.seed == 1


def test_gallery(tiny: dict[str, Path], tmp_path: Path) -> None:
    from cellbench.plots.gallery import draw_gallery

    draw_gallery([tiny["dsb"], tiny["marrow"]], tmp_path / "g.png", tmp_path / "g.pdf")
    assert (tmp_path / "g.png").stat().st_size > 0 and (tmp_path / "g.pdf").stat().st_size > 0
