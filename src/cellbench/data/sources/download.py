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
import zipfile
from pathlib import Path, PurePosixPath

import requests
from tqdm import tqdm

from cellbench.errors import InputError

log = logging.getLogger(__name__)
CHUNK = 1 << 20


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


def verify(path: Path, expected: str | None, *, accept_checksum: bool = False) -> str:
    """Check ``path`` against the published checksum or its lock file; record it if none.

    Raises :class:`InputError` naming the file, both checksums and how to proceed.
    """
    actual = sha256sum(path)
    lock = lock_path(path)
    if expected is None and lock.is_file() and not accept_checksum:
        expected = lock.read_text().split()[0]
        origin = f"lock file {lock}"
    else:
        origin = "the datasets file (config/datasets.yaml)"
    if expected is not None and actual != expected and not accept_checksum:
        raise InputError(
            path,
            f"sha256 {actual} does not match {expected} recorded in {origin}: the file is "
            "truncated, corrupt or a different release. Delete it and download again, or, if "
            "you trust this file, accept its checksum deliberately with --accept-checksum "
            f"(or delete {lock} / update sha256 in the datasets file).",
        )
    if expected is None or accept_checksum:
        lock.write_text(f"{actual}  {path.name}\n")
        log.info("recorded sha256 %s of %s in %s (trust on first use)", actual, path, lock)
    return actual


def download(
    url: str,
    dest: Path,
    expected: str | None,
    *,
    accept_checksum: bool = False,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``dest`` (resumable), verify it, return ``dest``."""
    dest = Path(dest)
    if dest.is_file():
        verify(dest, expected, accept_checksum=accept_checksum)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        response = requests.get(url, headers=headers, stream=True, timeout=timeout)
    except requests.RequestException as exc:
        raise InputError(
            dest, f"cannot download {url} ({exc}); download it by hand and put it at {dest}"
        ) from exc
    with response:
        if response.status_code == 416:  # range beyond the end: the .part file is complete
            response_ok = True
        elif response.status_code in (200, 206):
            response_ok = False
        else:
            raise InputError(
                dest,
                f"download of {url} failed with HTTP {response.status_code}; download it by "
                f"hand and put it at {dest}",
            )
        if not response_ok:
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
                    desc=dest.name,
                    disable=None,
                ) as bar,
            ):
                try:
                    for block in response.iter_content(1 << 16):
                        handle.write(block)
                        bar.update(len(block))
                except requests.RequestException as exc:
                    raise InputError(
                        part,
                        f"download of {url} interrupted at {handle.tell()} bytes ({exc}); "
                        "run again to resume",
                    ) from exc
            if total is not None and part.stat().st_size != total:
                raise InputError(
                    part,
                    f"download of {url} stopped at {part.stat().st_size} of {total} bytes; "
                    "run again to resume",
                )
    try:
        verify(part, expected, accept_checksum=accept_checksum)
    except InputError:
        lock_path(part).unlink(missing_ok=True)
        raise
    lock = lock_path(part)
    if lock.is_file():
        os.replace(lock, lock_path(dest))
    os.replace(part, dest)
    return dest


def _check_member(name: str, archive: Path) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise InputError(
            archive, f"archive member {name!r} has an absolute path or '..': refusing to unpack"
        )
    return path


def extract(archive: Path, dest: Path) -> Path:
    """Unpack a zip or tar archive into ``dest`` (atomically), rejecting unsafe members.

    Members with absolute paths, ``..`` components, or links (symbolic or hard) are refused.
    """
    archive = Path(archive)
    dest = Path(dest)
    if (dest / ".complete").is_file():
        return dest
    tmp = dest.with_name(dest.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        if zipfile.is_zipfile(archive):
            try:
                with zipfile.ZipFile(archive) as zf:
                    for info in zf.infolist():
                        _check_member(info.filename, archive)
                        if (info.external_attr >> 16) & 0o170000 == 0o120000:
                            raise InputError(archive, f"archive member {info.filename!r} is a link")
                    zf.extractall(tmp)
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
                    tf.extractall(tmp, members=members, filter="data")
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise InputError(archive, f"corrupt or truncated tar ({exc})") from exc
        else:
            raise InputError(archive, "not a zip or tar archive (truncated or wrong file?)")
        (tmp / ".complete").write_text(archive.name + "\n")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return dest


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a zip or tar archive (by suffix)."""
    name = path.name.lower()
    return name.endswith((".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2"))
