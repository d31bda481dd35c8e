"""Protocol templates: an edit is a new version, so finished protocols keep their instructions."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from assistants.models import ProtocolTemplate
from portal.models import User
from portal.services import audit_record

EDITABLE = ("name", "description", "sections", "instructions")


@transaction.atomic
def template_revise(*, template: ProtocolTemplate, changes: dict, by: User) -> ProtocolTemplate:
    """Store `changes` as the next version of `template`'s key and make it the current one."""
    current = ProtocolTemplate.objects.select_for_update().get(key=template.key, is_current=True)
    latest = ProtocolTemplate.objects.filter(key=template.key).aggregate(v=Max("version"))["v"]
    ProtocolTemplate.objects.filter(pk=current.pk).update(is_current=False)
    fields = {name: changes.get(name, getattr(current, name)) for name in EDITABLE}
    revised = ProtocolTemplate.objects.create(
        key=template.key, version=latest + 1, is_current=True, created_by=by, **fields
    )
    audit_record(
        actor=by,
        action="assistant.template_revised",
        target=revised,
        details={"key": revised.key, "version": revised.version},
    )
    return revised
