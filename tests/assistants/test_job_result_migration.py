"""Migration 0009: newsletter drafts move from protocol rows onto their jobs."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.migrations import migrate_to

BEFORE = [("assistants", "0008_job_kinds_registered")]
AFTER = [("assistants", "0009_job_result")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrations_restored")
def test_drafts_keep_their_document_and_records_stay() -> None:
    apps = migrate_to(BEFORE)
    User = apps.get_model("portal", "User")
    Job = apps.get_model("assistants", "GenerationJob")
    Protocol = apps.get_model("assistants", "Protocol")
    Template = apps.get_model("assistants", "ProtocolTemplate")
    Version = apps.get_model("assistants", "ProtocolVersion")
    owner = User.objects.create(email="ada@firma.test", name="Ada")
    template = Template.objects.get(key="newsletter", is_current=True)

    def generated(kind: str, summary: str):
        job = Job.objects.create(owner=owner, kind=kind, status="done", template=template)
        protocol = Protocol.objects.create(
            job=job,
            owner=owner,
            title=summary,
            meeting_date=date(2026, 11, 1),
            template=template,
            output_language="de",
            data={"summary": summary},
            schema_version=1,
        )
        return job, protocol

    draft, _ = generated("newsletter", "Entwurf")
    approved, kept = generated("newsletter", "Freigegeben")
    Version.objects.create(protocol=kept, number=1, data=kept.data, approved_at=timezone.now())
    meeting, minutes = generated("protocol", "Jour fixe")

    apps = migrate_to(AFTER)
    Job = apps.get_model("assistants", "GenerationJob")
    Protocol = apps.get_model("assistants", "Protocol")
    results = dict(Job.objects.values_list("pk", "result"))
    assert results == {
        draft.pk: {"summary": "Entwurf"},
        approved.pk: {"summary": "Freigegeben"},
        meeting.pk: None,
    }
    assert set(Protocol.objects.values_list("pk", flat=True)) == {kept.pk, minutes.pk}
