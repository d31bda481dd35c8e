"""Materials of an event: files (kept outside any public URL) and links.

Files are served only by `rollout.events.views_materials.material_download`, which checks
who asks; the storage has no public URL (no MEDIA_URL is served).
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from portal.models import User
from portal.services import audit_record
from rollout.common.files import safe_filename
from rollout.models import Event, EventMaterial, Registration


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
