"""marrow-a from the GitHub archive of pkainz/MICCAI2015: downloaded (file: URL, the download
rule's code path) or given with --source, unpacked, and prepared from data/BM_GRAZ/ below the
archive's top folder; everything else in the archive is ignored. Synthetic fixtures only."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from cellbench.cli import main
from cellbench.data.layout import PreparedDataset
from cellbench.data.sources.catalog import load_catalog, rule_inputs
from cellbench.data.sources.prepare import download_file, prepare
from cellbench.errors import InputError

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "config" / "datasets.yaml"
COMMIT = "5ae97cbcf5925423ec8090174ca4101236e9d4d7"
TOP = f"MICCAI2015-{COMMIT}"
NAME = f"{TOP}.zip"
SHAPE = (10, 14)  # (height, width)
# (x, y) nucleus centres per image, as in the BM_GRAZ annotation files
DOTS = {"BM_GRAZ_HE_0001_01": [(1, 2), (13, 9)], "BM_GRAZ_HE_0002_01": [(0, 0), (5, 5), (7, 3)]}


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def dot_text(dots: list[tuple[int, int]]) -> str:
    """A BM_GRAZ annotation file: '<count> 3 0', then one 'x y label' row per dot."""
    return f"{len(dots)} 3 0\n" + "".join(f"{x} {y} 1\n" for x, y in dots)


def github_archive(
    path: Path, texts: dict[str, str | None] | None = None, extra: dict[str, bytes] | None = None
) -> dict[str, np.ndarray]:
    """A zip laid out as GitHub's archive of the repository: top folder MICCAI2015-<commit>/,
    data/BM_GRAZ/source/<stem>.png and annotations/<stem>.txt, plus decoys that must be ignored:
    annotation dot PNGs, distance-transform target/<stem>.png (same stems), code/, LICENSE, the
    inner zip, and demo/ symbolic links to the images (as git archive stores links).

    ``texts`` replaces (or with None drops) an annotation file; returns the images by stem.
    """
    rng = np.random.default_rng(0)
    texts = {stem: dot_text(dots) for stem, dots in DOTS.items()} | (texts or {})
    images = {stem: rng.integers(0, 255, (*SHAPE, 3), dtype=np.uint8) for stem in DOTS}
    data = f"{TOP}/data/BM_GRAZ"
    with zipfile.ZipFile(path, "w") as zf:
        for folder in ("", "/data", "/data/BM_GRAZ", "/data/BM_GRAZ/source"):
            zf.writestr(zipfile.ZipInfo(f"{TOP}{folder}/"), b"")
        for stem, image in images.items():
            zf.writestr(f"{data}/source/{stem}.png", _png(image))
            zf.writestr(f"{data}/annotations/{stem}.png", _png(np.zeros(SHAPE, np.uint8)))
            zf.writestr(f"{data}/target/{stem}.png", _png(np.full(SHAPE, 7, np.uint8)))
            link = zipfile.ZipInfo(f"{TOP}/demo/class/data/source/test/{stem}.png")
            link.create_system = 3
            link.external_attr = 0o120777 << 16
            zf.writestr(link, f"../../../../../data/BM_GRAZ/source/{stem}.png")
        for stem, text in texts.items():
            if text is not None:
                zf.writestr(f"{data}/annotations/{stem}.txt", text)
        zf.writestr(f"{TOP}/code/preprocessing/readGTLocations.m", "% decoy\n")
        zf.writestr(f"{TOP}/LICENSE", "Apache License\n")
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as nested:
            nested.writestr("BM_GRAZ/source/decoy.png", _png(np.zeros(SHAPE, np.uint8)))
        zf.writestr(f"{TOP}/BM_dataset_MICCAI2015.zip", inner.getvalue())
        for name, content in (extra or {}).items():
            zf.writestr(f"{TOP}/{name}", content)
    return images


def file_url_catalog(tmp_path: Path, archive: Path) -> Path:
    """The repository's datasets file with marrow-a's URL pointing at a local archive."""
    data = yaml.safe_load(CATALOG.read_text())
    data["datasets"]["marrow-a"]["files"][0]["url"] = archive.as_uri()
    path = tmp_path / "datasets.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def check_prepared(out: Path, images: dict[str, np.ndarray]) -> PreparedDataset:
    data = PreparedDataset(out)
    assert data.image_ids() == sorted(DOTS) and data.annotation == "points"
    for stem, dots in DOTS.items():
        np.testing.assert_array_equal(data.image(stem), images[stem])
        np.testing.assert_array_equal(data.points(stem), [[y, x] for x, y in dots])
    return data


def test_repo_catalog_pins_the_github_archive(tmp_path: Path) -> None:
    entry = load_catalog(CATALOG)["marrow-a"]
    assert not entry.registration and len(entry.files) == 1
    (file,) = entry.files
    assert file.name == NAME and file.sha256 is None
    assert file.url == f"https://github.com/pkainz/MICCAI2015/archive/{COMMIT}.zip"
    assert rule_inputs(CATALOG, "dl", {}, "marrow-a") == [f"dl/marrow-a/{NAME}"]


def test_download_rule_path_prepares_images_and_dots(tmp_path: Path, caplog) -> None:
    archive = tmp_path / "served.zip"
    images = github_archive(archive)
    catalog = file_url_catalog(tmp_path, archive)
    downloads = tmp_path / "dl"
    with caplog.at_level(logging.INFO, logger="cellbench"):
        staged = download_file(catalog, "marrow-a", NAME, downloads)  # real_data_download
        out = prepare("marrow-a", None, tmp_path / "out", downloads, catalog=catalog)
    assert staged == downloads / "marrow-a" / NAME and (staged.parent / f"{NAME}.sha256").is_file()
    data = check_prepared(out, images)
    assert data.info.source == archive.as_uri()
    assert "2 symbolic link(s) not unpacked" in caplog.text
    assert "2 images, 5 nucleus dots" in caplog.text
    unpacked = downloads / "marrow-a" / "unpacked" / TOP / TOP
    assert (unpacked / "code" / "preprocessing" / "readGTLocations.m").is_file()
    assert not list(unpacked.glob("demo/**/*.png"))  # links: nothing written


def test_cli_source_archive_and_unpacked_folder(tmp_path: Path) -> None:
    archive = tmp_path / NAME
    images = github_archive(archive)
    args = ["--downloads", str(tmp_path / "dl"), "--catalog", str(CATALOG)]
    out = tmp_path / "out"
    assert main(["prepare", "marrow-a", "--source", str(archive), "--out", str(out), *args]) == 0
    check_prepared(out, images)
    folder = tmp_path / "clone"
    with zipfile.ZipFile(archive) as zf:  # a plain unpacked copy: the links become files
        zf.extractall(folder)
    rows = "".join(f"{stem}\tnormal\ttest\n" for stem in DOTS)  # a table at the top is read
    (folder / "images.tsv").write_text("image_id\timage_label\tsplit\n" + rows)
    out = tmp_path / "out2"
    assert main(["prepare", "marrow-a", "--source", str(folder), "--out", str(out), *args]) == 0
    assert check_prepared(out, images).index["split"].tolist() == ["test", "test"]


@pytest.mark.parametrize(
    ("texts", "extra", "message", "named"),
    [
        ({"BM_GRAZ_HE_0002_01": None}, {}, "dot annotations missing", "BM_GRAZ_HE_0002_01.txt"),
        (
            {"BM_GRAZ_HE_0009_01": "0 3 0\n"},
            {},
            "dot annotations without an image",
            "BM_GRAZ_HE_0009_01.txt",
        ),
        (
            {"BM_GRAZ_HE_0001_01": "3 3 0\n1 2 1\n"},
            {},
            "header announces 3 dots, the file has 1",
            "BM_GRAZ_HE_0001_01.txt",
        ),
        (
            {"BM_GRAZ_HE_0001_01": "1 3 0\n14 2 1\n"},
            {},
            r"1 dot\(s\) outside the 14x10 image",
            "BM_GRAZ_HE_0001_01.txt",
        ),
        (
            {},
            {"data/BM_GRAZ/source/BM_GRAZ_HE_0001_01.tif": b"x"},
            "two images with the id",
            ".tif",
        ),
        (
            {},
            {"copy/source/a.png": b"x", "copy/annotations/a.txt": b"0 3 0\n"},
            "several bone-marrow folders",
            TOP,
        ),
    ],
)
def test_bad_archive_content_is_named(
    tmp_path: Path, texts: dict, extra: dict, message: str, named: str
) -> None:
    archive = tmp_path / NAME
    github_archive(archive, texts, extra)
    with pytest.raises(InputError, match=message) as info:
        prepare("marrow-a", archive, tmp_path / "out", tmp_path / "dl", catalog=CATALOG)
    assert named in str(info.value)
    assert not (tmp_path / "out").exists()
