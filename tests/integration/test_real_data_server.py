"""Real-data download and preparation against a local HTTP server on 127.0.0.1.

The test builds small archives in the official on-disk layouts (DSB 2018 stage 1, CTC,
MoNuSeg) and serves them from a thread; nothing leaves the machine.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import tifffile
import yaml
from PIL import Image

from cellbench.data.layout import PreparedDataset
from cellbench.data.sources.download import download, sha256sum
from cellbench.data.sources.prepare import prepare
from cellbench.errors import InputError

REPO = Path(__file__).resolve().parents[2]


class _Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    cut_once: ClassVar[set[str]] = set()

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        data = self.files.get(name)
        if data is None:
            self.send_error(404)
            return
        start = 0
        header = self.headers.get("Range")
        if header:
            start = int(header.split("=")[1].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if name in self.cut_once:  # drop the connection half-way, once
            self.cut_once.discard(name)
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"files": {}, "cut_once": set()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _png(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def _tif(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array, compression="lzw")
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _disk(shape: tuple[int, int], cy: int, cx: int, r: int) -> np.ndarray:
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2


def dsb_files() -> dict[str, bytes]:
    """stage1_train.zip (an overlapping mask pair), stage1_test.zip, stage1_solution.csv."""
    shape = (32, 40)
    train: dict[str, bytes] = {}
    for k, image_id in enumerate(["aaa1", "bbb2"]):
        rgba = np.zeros((*shape, 4), np.uint8)
        rgba[..., 3] = 255
        masks = [_disk(shape, 10, 10, 5), _disk(shape, 12, 14, 3), _disk(shape, 24, 30, 4)]
        for mask in masks:
            rgba[mask, :3] = 200
        train[f"{image_id}/images/{image_id}.png"] = _png(rgba)
        for j, mask in enumerate(masks[: 2 + k]):
            train[f"{image_id}/masks/m{j}.png"] = _png((mask * 255).astype(np.uint8))
    test_rgba = np.zeros((*shape, 4), np.uint8)
    test_rgba[..., 3] = 255
    test = {"ccc3/images/ccc3.png": _png(test_rgba)}
    solution = (
        "ImageId,EncodedPixels,Height,Width,Usage\n"
        f"ccc3,1 3 33 3,{shape[0]},{shape[1]},Public\n"
        f"ccc3,100 2,{shape[0]},{shape[1]},Public\n"
    )
    return {
        "stage1_train.zip": _zip(train),
        "stage1_test.zip": _zip(test),
        "stage1_solution.csv": solution.encode(),
    }


def ctc_zip() -> bytes:
    """Fluo-N2DH-SIM+.zip: 3 frames of 01 (man_seg001 missing, frame 002 partial), 2 of 02."""
    shape = (24, 24)
    root = "Fluo-N2DH-SIM+"
    members: dict[str, bytes] = {}
    seg = np.zeros(shape, np.uint16)
    seg[2:8, 2:8] = 7
    seg[12:20, 12:20] = 9
    tra = np.zeros(shape, np.uint16)
    tra[4, 4], tra[15, 15] = 1, 2
    for sequence, n_frames in (("01", 3), ("02", 2)):
        for t in range(n_frames):
            members[f"{root}/{sequence}/t{t:03d}.tif"] = _tif(np.full(shape, 100 + t, np.uint16))
            tra_t = tra.copy()
            if sequence == "01" and t == 2:
                tra_t[22, 22] = 3  # a tracked cell without segmentation: partial frame
            members[f"{root}/{sequence}_GT/TRA/man_track{t:03d}.tif"] = _tif(tra_t)
        seg_frames = (0, 2) if sequence == "01" else (1,)
        for t in seg_frames:
            members[f"{root}/{sequence}_GT/SEG/man_seg{t:03d}.tif"] = _tif(seg)
    members[f"{root}/padding.bin"] = np.random.default_rng(0).bytes(300_000)  # resume test
    return _zip(members)


def monuseg_zip() -> bytes:
    """MoNuSegTestData.zip: one tissue TIFF and an XML with two overlapping polygons."""
    image = np.full((30, 30, 3), 180, np.uint8)
    xml = (
        "<Annotations><Annotation><Regions>"
        "<Region Id='1'><Vertices><Vertex X='2' Y='2'/><Vertex X='20' Y='2'/>"
        "<Vertex X='20' Y='20'/><Vertex X='2' Y='20'/></Vertices></Region>"
        "<Region Id='2'><Vertices><Vertex X='15' Y='15'/><Vertex X='25' Y='15'/>"
        "<Vertex X='25' Y='25'/><Vertex X='15' Y='25'/></Vertices></Region>"
        "</Regions></Annotation></Annotations>"
    )
    return _zip(
        {
            "MoNuSegTestData/TCGA-AA-0000-01Z-00-DX1.tif": _tif(image),
            "MoNuSegTestData/TCGA-AA-0000-01Z-00-DX1.xml": xml.encode(),
        }
    )


def write_catalog(path: Path, base: str, sha: dict[str, str | None] | None = None) -> Path:
    """A datasets file pointing at the local server."""
    sha = sha or {}
    common = {"homepage": "h", "licence": "l", "citation": "c", "registration": False}

    def files(*names: str) -> list[dict]:
        return [{"name": n, "url": f"{base}/{n}", "sha256": sha.get(n)} for n in names]

    data = {
        "datasets": {
            "dsb2018": {
                "title": "DSB",
                **common,
                "files": files("stage1_train.zip", "stage1_test.zip", "stage1_solution.csv"),
            },
            "ctc-sim": {"title": "SIM", **common, "scale": 2 / 3, "files": files("sim.zip")},
            "monuseg": {"title": "MoNuSeg", **common, "files": files("MoNuSegTestData.zip")},
            "cvppp-a1": {
                "title": "CVPPP",
                **common,
                "registration": True,
                "files": [{"name": "CVPPP2017_LSC_training.zip", "url": None, "sha256": None}],
            },
        }
    }
    path.write_text(yaml.safe_dump(data))
    return path


def test_prepare_dsb_ctc_monuseg_from_server(server, tmp_path: Path, caplog) -> None:
    base, handler = server
    handler.files.update(dsb_files())
    handler.files["sim.zip"] = ctc_zip()
    handler.files["MoNuSegTestData.zip"] = monuseg_zip()
    handler.cut_once.add("sim.zip")
    catalog = write_catalog(tmp_path / "datasets.yaml", base)
    downloads = tmp_path / "dl"

    out = prepare("dsb2018", None, tmp_path / "dsb", downloads, catalog=catalog)
    data = PreparedDataset(out)
    assert sorted(data.image_ids()) == ["aaa1", "bbb2", "ccc3"]
    aaa = data.labels("aaa1")
    assert aaa.max() == 2 and aaa[12, 14] == 2  # the smaller mask wins the overlap
    ccc = data.labels("ccc3")
    assert ccc.max() == 2 and ccc[0:3, 0].all() and ccc[0:3, 1].all() and not ccc[3, 0]
    assert (out / "partition.tsv").is_file()
    assert set(data.index["group"]) <= {f"CT{k}" for k in range(1, 8)}
    assert (downloads / "dsb2018" / "stage1_train.zip.sha256").is_file()

    with caplog.at_level(logging.INFO, logger="cellbench"):  # cut once, resumed in the same run
        out = prepare("ctc-sim", None, tmp_path / "sim", downloads, catalog=catalog)
    assert "resuming" in caplog.text and "at byte" in caplog.text
    assert (
        sha256sum(downloads / "ctc-sim" / "sim.zip")
        == __import__("hashlib").sha256(handler.files["sim.zip"]).hexdigest()
    )
    data = PreparedDataset(out)
    index = data.index.set_index("image_id")
    assert list(index.index) == ["01_t000", "01_t001", "01_t002", "02_t001"]
    assert list(index["has_labels"]) == [True, False, True, True]
    assert list(index["partial"]) == [False, False, True, False]
    assert list(index["split"]) == ["train", "train", "train", "test"]
    assert data.evaluation_ids() == ["02_t001"]
    assert data.labels("02_t001").max() == 2
    assert abs(data.info.scale - 2 / 3) < 1e-9

    out = prepare("monuseg", None, tmp_path / "mo", downloads, catalog=catalog)
    labels = PreparedDataset(out).labels("TCGA-AA-0000-01Z-00-DX1")
    assert labels.max() == 2 and labels[17, 17] == 2  # smaller polygon wins
    assert PreparedDataset(out).index["split"].tolist() == ["test"]


def test_bad_archives_are_refused(server, tmp_path: Path) -> None:
    base, handler = server
    good = monuseg_zip()
    handler.files["MoNuSegTestData.zip"] = good[: len(good) // 2]  # truncated on the server
    handler.files["sim.zip"] = _zip({"Fluo-N2DH-SIM+/../../evil.txt": b"x"})
    catalog = write_catalog(tmp_path / "datasets.yaml", base)
    downloads = tmp_path / "dl"
    with pytest.raises(InputError, match="truncated"):
        prepare("monuseg", None, tmp_path / "mo", downloads, catalog=catalog)
    with pytest.raises(InputError, match="refusing"):
        prepare("ctc-sim", None, tmp_path / "sim", downloads, catalog=catalog)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "sim").exists()
    with pytest.raises(InputError, match=r"registration.*CVPPP2017_LSC_training\.zip"):
        prepare("cvppp-a1", None, tmp_path / "cv", downloads, catalog=catalog)


def test_wrong_checksum_and_deliberate_accept(server, tmp_path: Path) -> None:
    base, handler = server
    handler.files["MoNuSegTestData.zip"] = monuseg_zip()
    catalog = write_catalog(tmp_path / "d.yaml", base, {"MoNuSegTestData.zip": "ab" * 32})
    downloads = tmp_path / "dl"
    with pytest.raises(InputError, match="--accept-checksum"):
        prepare("monuseg", None, tmp_path / "mo", downloads, catalog=catalog)
    assert not (downloads / "monuseg" / "MoNuSegTestData.zip").exists()
    out = prepare(
        "monuseg", None, tmp_path / "mo", downloads, catalog=catalog, accept_checksum=True
    )
    assert PreparedDataset(out).index.shape[0] == 1
    lock = downloads / "monuseg" / "MoNuSegTestData.zip.sha256"
    assert lock.read_text().split()[0] == sha256sum(downloads / "monuseg" / "MoNuSegTestData.zip")
    dest = tmp_path / "again.zip"
    download(f"{base}/MoNuSegTestData.zip", dest, None)
    assert dest.is_file()


def test_local_archive_as_source(tmp_path: Path) -> None:
    archive = tmp_path / "Fluo-N2DH-SIM+.zip"
    archive.write_bytes(ctc_zip())
    out = prepare(
        "ctc-sim", archive, tmp_path / "sim", tmp_path / "dl", catalog=REPO / "config/datasets.yaml"
    )
    assert len(PreparedDataset(out).image_ids()) == 4


@pytest.mark.skipif(
    not Path(sys.executable).with_name("snakemake").exists(), reason="snakemake not installed"
)
def test_rules_download_and_prepare(server, tmp_path: Path) -> None:
    base, handler = server
    handler.files["sim.zip"] = ctc_zip()
    write_catalog(tmp_path / "datasets.yaml", base)
    (tmp_path / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "seed": 0,
                "device": "cpu",
                "remote_job_threads": 1,
                "job_threads": 0,
                "synthetic": {"seed": 0, "size": "tiny"},
                "methods": {"otsu_watershed": {"datasets": ["ctc-sim"]}},
                "real_data": {"catalog": "datasets.yaml", "downloads": "dl", "sources": {}},
            }
        )
    )
    (tmp_path / "Snakefile").write_text(
        f'configfile: "config.yaml"\n\n\ninclude: "{REPO}/workflow/rules/common.smk"\n'
        f'include: "{REPO}/workflow/rules/real_data.smk"\n'
    )
    snakemake = Path(sys.executable).with_name("snakemake")
    result = subprocess.run(
        [
            str(snakemake),
            "--cores",
            "1",
            "results/data/ctc-sim",
            "results/data/cvppp-a1",
            "--keep-going",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (tmp_path / "dl" / "ctc-sim" / "sim.zip").is_file(), result.stderr[-3000:]
    assert len(PreparedDataset(tmp_path / "results/data/ctc-sim").image_ids()) == 4
    log = tmp_path / "results/logs/real_data_download/cvppp-a1/CVPPP2017_LSC_training.zip.log"
    assert result.returncode != 0 and "needs registration" in log.read_text()
