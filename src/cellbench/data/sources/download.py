"""Resumable, checksum-verified downloads and safe archive extraction.

A file is downloaded to ``<file>.part`` (resumed with an HTTP Range request when the
server allows it) and renamed to ``<file>`` only after its sha256 passed. The expected
checksum is the published one from the datasets file; when that is ``null`` the first
verified download records it in ``<file>.sha256`` (trust on first use) and every later
run checks against that lock file. ``accept_checksum=True`` (``--accept-checksum``)
deliberately replaces a lock file with the checksum of the file at hand.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tarfile
import time
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse
from urllib.request import url2pathname

import requests
from tqdm import tqdm

from cellbench.errors import InputError
from cellbench.io import atomic_dir, atomic_path

log = logging.getLogger(__name__)
CHUNK = 1 << 20
RETRIES = 3
DEFAULT_CATALOG = Path("config/datasets.yaml")


def sha256sum(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def lock_path(path: Path) -> Path:
    """The trust-on-first-use checksum lock of a downloaded file."""
    return path.with_name(path.name + ".sha256")


def file_url_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL (``file:///x``, ``file:/x``), else ``None``."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    if parsed.netloc not in ("", "localhost"):
        raise InputError(None, f"{url}: only local file: URLs are supported (no host name)")
    return Path(url2pathname(parsed.path))


def verify(
    path: Path,
    expected: str | None,
    *,
    accept_checksum: bool = False,
    lock: Path | None = None,
    catalog: str | Path = DEFAULT_CATALOG,
) -> str:
    """Check ``path`` against the published checksum or the lock file; record it if none.

    ``lock`` defaults to ``<path>.sha256``; a download in progress passes the final file's
    lock, so that a second download is checked against the first. Raises
    :class:`InputError` naming the file, both checksums, where the expected one came from
    (the datasets file ``catalog`` or the lock file) and how to proceed.
    """
    actual = sha256sum(path)
    lock = lock_path(path) if lock is None else lock
    if expected is None and lock.is_file() and not accept_checksum:
        expected = lock.read_text().split()[0]
        origin = f"lock file {lock}"
    else:
        origin = f"the datasets file {catalog}"
    if expected is not None and actual != expected and not accept_checksum:
        raise InputError(
            path,
            f"sha256 {actual} does not match {expected} recorded in {origin}: the file is "
            "truncated, corrupt or a different release. Delete it and download again, or, if "
            "you trust this file, accept its checksum deliberately with --accept-checksum "
            f"(or delete {lock} / update sha256 in {catalog}).",
        )
    if expected is None or accept_checksum:
        with atomic_path(lock) as tmp:
            tmp.write_text(f"{actual}  {lock.name[: -len('.sha256')]}\n")
        log.info("recorded sha256 %s of %s in %s (trust on first use)", actual, path, lock)
    return actual


def _stream(url: str, part: Path, timeout: float) -> None:
    """Append the rest of ``url`` to ``part`` (HTTP Range); :class:`_Interrupted` if cut."""
    offset = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        response = requests.get(url, headers=headers, stream=True, timeout=timeout)
    except requests.RequestException as exc:
        raise InputError(
            part, f"cannot download {url} ({exc}); download it by hand and put it beside"
        ) from exc
    with response:
        if response.status_code == 416:  # range beyond the end: the .part file is complete
            return
        if response.status_code not in (200, 206):
            raise InputError(
                part,
                f"download of {url} failed with HTTP {response.status_code}; download it by "
                "hand and put it beside (without .part)",
            )
        mode = "ab" if response.status_code == 206 else "wb"
        if mode == "wb":
            offset = 0
        else:
            log.info("resuming %s at byte %d", url, offset)
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        with (
            open(part, mode) as handle,
            tqdm(
                total=total,
                initial=offset,
                unit="B",
                unit_scale=True,
                desc=part.name,
                disable=None,
            ) as bar,
        ):
            try:
                for block in response.iter_content(1 << 16):
                    handle.write(block)
                    bar.update(len(block))
            except requests.RequestException as exc:
                raise _Interrupted(f"interrupted at {handle.tell()} bytes ({exc})") from exc
        if total is not None and part.stat().st_size != total:
            raise _Interrupted(f"stopped at {part.stat().st_size} of {total} bytes")


class _Interrupted(Exception):
    """A download cut short; the ``.part`` file keeps what arrived."""


def download(
    url: str,
    dest: Path,
    expected: str | None,
    *,
    accept_checksum: bool = False,
    timeout: float = 60.0,
    retries: int = RETRIES,
    catalog: str | Path = DEFAULT_CATALOG,
) -> str:
    """Download ``url`` to ``dest`` (resumed up to ``retries`` times), verify it, return its sha256.

    The file is checked against the published checksum or ``dest``'s lock file before it
    is renamed into place, so a second download (after deleting the first) must match the
    first. ``file:`` URLs are copied.
    """
    dest = Path(dest)
    if dest.is_file():
        return verify(dest, expected, accept_checksum=accept_checksum, catalog=catalog)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    local = file_url_path(url)
    if local is not None:
        if not local.is_file():
            raise InputError(local, f"file named by the URL {url} does not exist")
        shutil.copyfile(local, part)
    else:
        for attempt in range(retries + 1):
            try:
                _stream(url, part, timeout)
                break
            except _Interrupted as exc:
                if attempt == retries:
                    raise InputError(part, f"download of {url} {exc}; run again to resume") from exc
                log.warning("download of %s %s; resuming (retry %d)", url, exc, attempt + 1)
                time.sleep(min(attempt + 1, 5))
    sha256 = verify(
        part, expected, accept_checksum=accept_checksum, lock=lock_path(dest), catalog=catalog
    )
    os.replace(part, dest)
    return sha256


def _check_member(name: str, archive: Path) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise InputError(
            archive, f"archive member {name!r} has an absolute path or '..': refusing to unpack"
        )
    return path


def _is_zip_link(info: zipfile.ZipInfo) -> bool:
    """Whether a zip member is a symbolic link (Unix mode in the high bits of external_attr)."""
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def extract(archive: Path, dest: Path, sha256: str | None = None) -> Path:
    """Unpack a zip or tar archive into ``dest`` (atomically), rejecting unsafe members.

    Members with absolute paths, ``..`` components, or tar links (symbolic or hard) and devices
    are refused. Symbolic links stored in a zip (``git archive``, hence every GitHub archive,
    keeps a repository's links so) are skipped and logged: nothing is created for them
    (``zipfile`` would write each as a small file holding the link target, e.g. a ``.png``
    that is no image). ``dest/.complete`` records the archive's sha256 (``sha256``, computed if not given): an
    unpacked copy of another archive (a new release, an accepted checksum) is rebuilt.
    """
    archive = Path(archive)
    dest = Path(dest)
    sha256 = sha256 or sha256sum(archive)
    stamp = f"{sha256}  {archive.name}\n"
    complete = dest / ".complete"
    if complete.is_file() and complete.read_text() == stamp:
        return dest
    if dest.exists():
        log.info("%s was unpacked from another archive: unpacking %s again", dest, archive)
    # The unpacked copy belongs to cellbench (it lives under the downloads folder): replaced
    # as a whole, even one left by a version that wrote no output marker.
    with atomic_dir(dest, overwrite=True) as tmp:
        if zipfile.is_zipfile(archive):
            try:
                with zipfile.ZipFile(archive) as zf:
                    for info in zf.infolist():
                        _check_member(info.filename, archive)
                    links = [info.filename for info in zf.infolist() if _is_zip_link(info)]
                    if links:
                        log.warning(
                            "%s: %d symbolic link(s) not unpacked (first: %s)",
                            archive,
                            len(links),
                            links[0],
                        )
                    for info in zf.infolist():
                        if _is_zip_link(info):
                            continue
                        try:
                            zf.extract(info, tmp)
                        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                            raise InputError(
                                archive, f"archive member {info.filename!r} is corrupt ({exc})"
                            ) from exc
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise InputError(archive, f"corrupt or truncated zip ({exc})") from exc
        elif tarfile.is_tarfile(archive):
            try:
                with tarfile.open(archive) as tf:
                    members = tf.getmembers()
                    for member in members:
                        _check_member(member.name, archive)
                        if not (member.isfile() or member.isdir()):
                            raise InputError(
                                archive, f"archive member {member.name!r} is a link or device"
                            )
                    # The checks above already refuse links, devices and paths leaving the
                    # folder; the "data" filter (Python >= 3.11.4) adds its own where it exists.
                    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                    tf.extractall(tmp, members=members, **safe)
            except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
                raise InputError(archive, f"corrupt or truncated tar ({exc})") from exc
        else:
            raise InputError(archive, "not a zip or tar archive (truncated or wrong file?)")
        (tmp / ".complete").write_text(stamp)
    return dest


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a zip or tar archive (by suffix)."""
    name = path.name.lower()
    return name.endswith((".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2"))
