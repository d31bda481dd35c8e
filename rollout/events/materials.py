"""Materials of an event: files (kept outside any public URL) and links.

Files are served only by `rollout.events.views_materials.material_download`, which checks
who asks; the storage has no public URL (no MEDIA_URL is served).
"""

from __future__ import annotations

import codecs
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify

from portal.models import User
from portal.services import audit_record
from rollout.models import Event, EventMaterial, Registration

MAX_FILE_SIZE = 20 * 1024 * 1024
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# extension → (content type sent on download, how the file must begin; None: UTF-8 text)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "zip": ("application/zip", _ZIP),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain; charset=utf-8", None),
    "md": ("text/markdown; charset=utf-8", None),
}


def file_extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")


def safe_filename(name: str) -> str:
    """Return a harmless file name: no path, ASCII letters, digits and dashes, known suffix."""
    path = PurePosixPath(name.replace("\\", "/"))
    stem = slugify(path.stem)[:80].strip("-_") or "material"
    return f"{stem}.{file_extension(name)}"


def content_matches_type(upload: UploadedFile, extension: str) -> bool:
    """True when the file begins the way files of its type do (text: valid UTF-8, no NUL)."""
    upload.seek(0)
    head = upload.read(65536)
    upload.seek(0)
    signatures = ALLOWED_TYPES[extension][1]
    if signatures is not None:
        return head.startswith(signatures)
    if b"\x00" in head:
        return False
    try:  # incremental: a character cut at the end of the sample is fine
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def material_visible_to(event: Event, user: User, *, manages: bool) -> bool:
    """Materials are for the host, admins (`manages`) and people with a seat."""
    return (
        manages
        or Registration.objects.filter(
            event=event, user=user, status=Registration.Status.CONFIRMED
        ).exists()
    )


@transaction.atomic
def material_add(
    *, event: Event, by: User, title: str, upload: UploadedFile | None = None, url: str = ""
) -> EventMaterial:
    """Add a file or a link (exactly one; the form makes sure)."""
    material = EventMaterial(event=event, added_by=by, url="" if upload else url)
    material.title = title or (safe_filename(upload.name) if upload else url)[:200]
    if upload is not None:
        material.file.save(safe_filename(upload.name), upload, save=False)
    try:
        material.save()
    except Exception:
        if material.file:
            material.file.delete(save=False)  # no file without its row
        raise
    audit_record(
        actor=by,
        action="event.material_added",
        target=event,
        details={"material": material.pk, "kind": "file" if upload else "link"},
    )
    return material


@transaction.atomic
def material_delete(*, material: EventMaterial, by: User) -> None:
    """Remove a material; its file goes once the removal is committed."""
    storage, name = material.file.storage, material.file.name
    material_id, event = material.pk, material.event
    material.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        actor=by, action="event.material_removed", target=event, details={"material": material_id}
    )
