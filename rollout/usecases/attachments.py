"""Files of a use case (screenshots, sample outputs, prompts), kept outside any public URL.

The upload checks (type by extension and content, size, harmless name) are those of event
materials; files are served only by `rollout.usecases.views_community.attachment_download`.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from portal.models import User
from portal.services import audit_record
from rollout.common.files import safe_filename
from rollout.models import UseCase, UseCaseAttachment


@transaction.atomic
def attachment_add(
    *, use_case: UseCase, by: User, upload: UploadedFile, title: str = ""
) -> UseCaseAttachment:
    """Store a checked upload (the form checked type, content and size)."""
    attachment = UseCaseAttachment(use_case=use_case, added_by=by)
    attachment.title = (" ".join(title.split()) or safe_filename(upload.name))[:200]
    attachment.file.save(safe_filename(upload.name), upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # no file without its row
        raise
    audit_record(
        actor=by,
        action="usecase.attachment_added",
        target=use_case,
        details={"attachment": attachment.pk},
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: UseCaseAttachment, by: User) -> None:
    """Remove an attachment; its file goes once the removal is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment_id, use_case = attachment.pk, attachment.use_case
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        actor=by,
        action="usecase.attachment_removed",
        target=use_case,
        details={"attachment": attachment_id},
    )
