"""Pull a catalogue model into the models folder and make it the one the portal uses.

The steps of `manage.py model_pull`, kept out of the command so tests call them directly:
where a model comes from (the catalogue address, the company mirror, or an address the admin
gives), which checksum it must have (the catalogue's published one, one the admin confirmed
on an earlier pull, or none yet: then the admin confirms what arrived), and activation (a
base model without a chat template is installed but never made active).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from assistants.model_catalogue import CatalogueModel
from assistants.model_download import Downloaded, DownloadError, Progress, download

CHECKSUMS_FILE = "checksums.json"


@dataclass(frozen=True)
class Source:
    """Where one file comes from and which checksum it must have (None: to be confirmed)."""

    filename: str
    url: str
    sha256: str | None
    checksum_origin: str  # "catalogue", "confirmed", "given" or "" (none yet)


def source_for(model: CatalogueModel, *, url: str = "", sha256: str = "") -> Source:
    """Return the address and checksum of a catalogue model, honouring the mirror."""
    if url:
        address = url
    elif settings.MODEL_MIRROR:
        address = f"{settings.MODEL_MIRROR}/{model.filename}"
    else:
        address = model.url
    return _with_checksum(model.filename, address, sha256 or model.sha256 or "", "catalogue")


def custom_source(url: str, *, filename: str, sha256: str = "") -> Source:
    """Return a source for a model that is not in the catalogue."""
    if not filename.endswith(".gguf") or "/" in filename or filename.startswith("."):
        raise DownloadError(f"{filename!r} is not a plain file name ending in .gguf.")
    return _with_checksum(filename, url, sha256, "given")


def _with_checksum(filename: str, url: str, sha256: str, origin: str) -> Source:
    if sha256:
        _check_hex(sha256)
        return Source(filename, url, sha256.lower(), origin)
    confirmed = confirmed_checksums().get(filename, {}).get("sha256")
    if confirmed:
        return Source(filename, url, confirmed, "confirmed")
    return Source(filename, url, None, "")


def _check_hex(sha256: str) -> None:
    if len(sha256) != 64 or any(c not in "0123456789abcdefABCDEF" for c in sha256):
        raise DownloadError(f"{sha256!r} is not a SHA-256 checksum (64 hexadecimal digits).")


def pull(source: Source, progress: Progress | None = None) -> Downloaded:
    """Download the source into the models folder (resuming, verifying, installing)."""
    return download(
        source.url, settings.MODELS_DIR / source.filename, sha256=source.sha256, progress=progress
    )


def confirmed_checksums() -> dict[str, dict]:
    try:
        return json.loads((settings.MODELS_DIR / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def record_confirmed(filename: str, sha256: str, url: str) -> None:
    """Remember a checksum the admin confirmed, so that later pulls verify against it."""
    _check_hex(sha256)
    entries = confirmed_checksums()
    entries[filename] = {
        "sha256": sha256.lower(),
        "url": url,
        "confirmed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_atomically(settings.MODELS_DIR / CHECKSUMS_FILE, json.dumps(entries, indent=2))


def activate(filename: str) -> None:
    """Make an installed model the one the portal loads (after a restart)."""
    path = settings.MODELS_DIR / filename
    if not path.is_file():
        raise DownloadError(f"{filename} is not installed in {settings.MODELS_DIR}.")
    _write_atomically(settings.ACTIVE_MODEL_FILE, filename + "\n")


def active_name() -> str:
    """Return the file name of the model `activate` chose, or "" for none."""
    try:
        return settings.ACTIVE_MODEL_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def chat_template_problem(path: Path) -> str:
    """Return why this GGUF cannot serve the assistants, or "" when it can."""
    from assistants.checks import model_file_errors

    return " ".join(error.msg for error in model_file_errors(path))


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from the portal's other services
    os.replace(tmp, path)
