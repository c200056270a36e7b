"""Checksums, trust-on-first-use locks and safe extraction."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from cellbench.data.sources.catalog import load_catalog
from cellbench.data.sources.download import download, extract, lock_path, sha256sum, verify
from cellbench.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def test_repo_catalog_is_valid() -> None:
    catalog = load_catalog(REPO / "config" / "datasets.yaml")
    assert catalog["ctc-hu7"].scale == 0.5 and catalog["ctc-psc"].scale == 2.0
    assert abs(catalog["ctc-sim"].scale - 2 / 3) < 1e-9
    assert catalog["cvppp-a1"].registration and catalog["tissuenet"].registration


def test_verify_trust_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(b"one")
    verify(path, None)
    assert lock_path(path).read_text().split()[0] == sha256sum(path)
    path.write_bytes(b"two")
    with pytest.raises(InputError, match="--accept-checksum"):
        verify(path, None)
    verify(path, None, accept_checksum=True)
    verify(path, None)


def test_verify_published_checksum(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(b"one")
    with pytest.raises(InputError, match=r"a\.zip"):
        verify(path, "0" * 64)
    verify(path, sha256sum(path))


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, b"x")
    return path


@pytest.mark.parametrize("name", ["../evil.txt", "/abs.txt", "a/../../evil.txt"])
def test_extract_rejects_traversal(tmp_path: Path, name: str) -> None:
    archive = _zip(tmp_path / "bad.zip", ["ok/a.txt", name])
    with pytest.raises(InputError, match="refusing"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_extract_rejects_tar_symlink(tmp_path: Path) -> None:
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tf:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tf.addfile(info)
    with pytest.raises(InputError, match="link"):
        extract(archive, tmp_path / "out")


def test_extract_skips_zip_symlinks(tmp_path: Path, caplog) -> None:
    """git archive (GitHub archives) stores symbolic links as zip members: nothing is written
    for them (zipfile would write the link target as a file's content)."""
    archive = _zip(tmp_path / "repo.zip", ["top/data/a.png"])
    with zipfile.ZipFile(archive, "a") as zf:
        for name, target in [("top/demo/a.png", "../data/a.png"), ("top/etc", "/etc/passwd")]:
            link = zipfile.ZipInfo(name)
            link.create_system = 3
            link.external_attr = 0o120777 << 16
            zf.writestr(link, target)
    with caplog.at_level("WARNING", logger="cellbench"):
        out = extract(archive, tmp_path / "out")
    assert (out / "top" / "data" / "a.png").read_bytes() == b"x"
    assert not (out / "top" / "demo").exists() and not (out / "top" / "etc").exists()
    assert "2 symbolic link(s) not unpacked (first: top/demo/a.png)" in caplog.text


def test_extract_truncated_and_ok(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "good.zip", ["d/a.txt", "d/b.txt"])
    truncated = tmp_path / "trunc.zip"
    truncated.write_bytes(archive.read_bytes()[:-30])
    with pytest.raises(InputError, match=r"trunc\.zip"):
        extract(truncated, tmp_path / "t")
    out = extract(archive, tmp_path / "ok")
    assert (out / "d" / "b.txt").read_bytes() == b"x"
    tar = tmp_path / "good.tar.gz"
    with tarfile.open(tar, "w:gz") as tf:
        info = tarfile.TarInfo("d/c.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"y"))
    assert (extract(tar, tmp_path / "tar") / "d" / "c.txt").read_bytes() == b"y"


def test_extract_replaces_a_copy_of_another_archive_atomically(tmp_path: Path) -> None:
    """A failed unpack leaves the old copy intact; a good one replaces it as a whole, also a
    copy written before output markers existed."""
    dest = tmp_path / "unpacked"
    dest.mkdir()
    (dest / "old.txt").write_text("from an earlier release")  # no .cellbench-output marker
    truncated = tmp_path / "trunc.zip"
    truncated.write_bytes(_zip(tmp_path / "a.zip", ["d/a.txt"]).read_bytes()[:-30])
    with pytest.raises(InputError):
        extract(truncated, dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "trunc.zip", "unpacked"]
    assert (dest / "old.txt").is_file()
    extract(tmp_path / "a.zip", dest)
    assert not (dest / "old.txt").exists() and (dest / "d" / "a.txt").is_file()
    assert (dest / ".complete").read_text().endswith("  a.zip\n")


def test_second_download_is_checked_against_the_first_lock(tmp_path: Path) -> None:
    source = tmp_path / "published.zip"
    source.write_bytes(b"first release")
    dest = tmp_path / "dl" / "a.zip"
    download(source.as_uri(), dest, None)  # file: URL; trust on first use
    assert lock_path(dest).read_text().split() == [sha256sum(source), "a.zip"]
    dest.unlink()
    source.write_bytes(b"another file")
    with pytest.raises(InputError, match=r"lock file .*a\.zip\.sha256"):
        download(source.as_uri(), dest, None)
    assert not dest.exists()
    assert lock_path(dest).read_text().split()[0] != sha256sum(source)  # lock kept
    download(f"file:{source}", dest, None, accept_checksum=True)  # deliberate
    assert lock_path(dest).read_text().split()[0] == sha256sum(source)
    with pytest.raises(InputError, match="does not exist"):
        download((tmp_path / "nope.zip").as_uri(), tmp_path / "dl" / "n.zip", None)


def test_mismatch_names_the_catalog_used(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(b"one")
    with pytest.raises(InputError, match=r"datasets file /x/my-datasets\.yaml"):
        verify(path, "0" * 64, catalog="/x/my-datasets.yaml")


def test_corrupt_member_of_an_intact_zip(tmp_path: Path) -> None:
    archive = tmp_path / "c.zip"
    payload = bytes(range(256)) * 400
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("d/ok.txt", b"fine")
        zf.writestr("d/data.bin", payload)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("d/data.bin")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 5, start + info.compress_size - 5, 7):
        data[k] ^= 0x5A
    archive.write_bytes(bytes(data))
    assert zipfile.is_zipfile(archive)  # the container itself is intact
    with pytest.raises(InputError, match=r"c\.zip: archive member 'd/data\.bin' is corrupt"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
