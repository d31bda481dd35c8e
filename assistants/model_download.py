"""Fetch one model file over HTTP: resumable, checked, installed atomically.

Used by `manage.py model_pull` only, never by a page or a worker: the portal downloads
nothing on its own. A download goes to `<target>.part` beside the target (same file system,
so the final rename is atomic); an interrupted one is resumed with a Range request and the
bytes already there are hashed again, so the checksum always covers the whole file. The file
is installed only when its size, its SHA-256 and its GGUF magic are right; a wrong checksum
deletes the partial file, a broken connection keeps it for the next try.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
GGUF_MAGIC = b"GGUF"
# A progress callback gets (bytes on disk, total bytes or None).
Progress = Callable[[int, int | None], None]
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class DownloadError(Exception):
    """A download that cannot go on; the message says what to do."""


class Interrupted(DownloadError):
    """The connection broke off: what arrived is kept and the next call resumes."""


class _StartAfresh(Exception):
    """The server cannot continue the partial file; it must be fetched from the start."""


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    size: int
    resumed_from: int  # bytes that were already on disk when this call started


def partial_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def file_sha256(path: Path, hasher=None) -> str:
    """Return the SHA-256 of a file, reading it in chunks (models are gigabytes)."""
    hasher = hasher or hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            hasher.update(block)
    return hasher.hexdigest()


def download(
    url: str,
    target: Path,
    *,
    sha256: str | None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> Downloaded:
    """Download `url` to `target`, resuming a partial file, and return what was installed.

    `sha256` None means nobody published a checksum: the file is checked for size and GGUF
    magic and parked at `unconfirmed_path(target)` until the admin confirms the checksum
    it got (`install_confirmed`).
    """
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DownloadError(f"Only http(s) addresses can be downloaded, not {url!r}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = partial_path(target)
    have = part.stat().st_size if part.exists() else 0
    hasher = hashlib.sha256()
    if have:
        file_sha256(part, hasher)  # the checksum covers the bytes of earlier tries too

    try:
        response = _open(url, have, timeout)
    except _StartAfresh:  # the partial file is longer than the resource: not ours
        part.unlink()
        have, hasher = 0, hashlib.sha256()
        response = _open(url, have, timeout)
    if response is None:  # 416: nothing after the bytes we have
        start = done = total = have
    else:
        try:
            start, total = _range_of(response, have)
            if start == 0 and have:
                hasher = hashlib.sha256()  # the server sent the whole file again
            _check_space(target.parent, total, start)
            done = _receive(response, part, hasher, start, total, progress)
        finally:
            response.close()
    if total is not None and done != total:
        raise Interrupted(
            f"The download stopped after {done:,} of {total:,} bytes; "
            "run the same command again to resume."
        )
    digest = hasher.hexdigest()
    _check_gguf(part)
    if sha256 is not None and digest != sha256.lower():
        part.unlink()
        raise DownloadError(
            f"Checksum mismatch: expected {sha256.lower()}, got {digest}. The file was deleted "
            "and nothing was installed; check the address or the mirror."
        )
    final = target if sha256 is not None else unconfirmed_path(target)
    _install(part, final)
    return Downloaded(path=final, sha256=digest, size=done, resumed_from=start)


def unconfirmed_path(target: Path) -> Path:
    return target.with_name(target.name + ".unconfirmed")


def install_confirmed(target: Path, sha256: str) -> Path:
    """Install a downloaded file whose checksum the admin confirmed; recheck it first."""
    source = unconfirmed_path(target)
    if not source.exists():
        raise DownloadError(f"There is no downloaded {target.name} waiting for confirmation.")
    digest = file_sha256(source)
    if digest != sha256.lower():
        raise DownloadError(
            f"The confirmed checksum {sha256.lower()} is not the file's ({digest}); "
            "nothing was installed."
        )
    _install(source, target)
    return target


def _open(url: str, have: int, timeout: float) -> http.client.HTTPResponse | None:
    """Send the request; None when the server has no bytes after the `have` we hold."""
    headers = {"User-Agent": "ki-portal-model-pull", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) checked
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:
            stated = e.headers.get("Content-Range", "")
            e.close()
            if stated.strip() == f"bytes */{have}":
                return None  # the partial file is complete: its checksum decides
            raise _StartAfresh from e
        raise DownloadError(f"The server answered {e.code} {e.reason} for {url}.") from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise Interrupted(f"Cannot reach {url}: {reason}.") from e


def _range_of(response: http.client.HTTPResponse, have: int) -> tuple[int, int | None]:
    """Return (first byte the body holds, total size) from the status and headers."""
    length = response.headers.get("Content-Length")
    if response.status == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
        if not match or int(match[1]) != have:
            raise DownloadError("The server answered a resume request with the wrong range.")
        return have, None if match[3] == "*" else int(match[3])
    return 0, int(length) if length and length.isdigit() else None


def _check_space(folder: Path, total: int | None, have: int) -> None:
    if total is None:
        return
    free = shutil.disk_usage(folder).free
    if total - have > free:
        raise DownloadError(
            f"Not enough disk space in {folder}: {total - have:,} bytes needed, {free:,} free."
        )


def _receive(response, part: Path, hasher, start: int, total: int | None, progress) -> int:
    done, shown = start, 0.0
    with part.open("r+b" if start else "wb") as f:
        f.seek(start)
        f.truncate()
        while block := _read(response, done):
            f.write(block)  # a full disk raises OSError here, not Interrupted
            hasher.update(block)
            done += len(block)
            if progress and time.monotonic() - shown >= 0.5:
                progress(done, total)
                shown = time.monotonic()
        f.flush()
        os.fsync(f.fileno())
    if progress:
        progress(done, total)
    return done


def _read(response, done: int) -> bytes:
    try:
        return response.read(CHUNK)
    except (OSError, http.client.HTTPException) as e:
        raise Interrupted(
            f"The connection broke off after {done:,} bytes ({e.__class__.__name__}); "
            "run the same command again to resume."
        ) from e


def _check_gguf(part: Path) -> None:
    with part.open("rb") as f:
        head = f.read(4)
    if head != GGUF_MAGIC:
        part.unlink()
        raise DownloadError(
            "The downloaded file is not a GGUF model (it may be an error page or a login "
            "page of a proxy); it was deleted. Check the address or the mirror."
        )


def _install(source: Path, target: Path) -> None:
    os.replace(source, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)  # the rename itself survives a crash
    finally:
        os.close(fd)
