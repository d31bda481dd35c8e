"""Migration 0010: status reports leave the protocol table for their own document."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.migrations import migrate_to

BEFORE = [("assistants", "0009_job_result")]
AFTER = [("assistants", "0010_status_reports")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrations_restored")
def test_report_protocols_become_status_reports() -> None:
    apps = migrate_to(BEFORE)
    User = apps.get_model("portal", "User")
    Job = apps.get_model("assistants", "GenerationJob")
    Protocol = apps.get_model("assistants", "Protocol")
    Template = apps.get_model("assistants", "ProtocolTemplate")
    Version = apps.get_model("assistants", "ProtocolVersion")
    ActionItem = apps.get_model("assistants", "ActionItem")
    ada = User.objects.create(email="ada@firma.test", name="Ada")
    rita = User.objects.create(email="rita@firma.test", name="Rita")
    template = Template.objects.get(key="statusbericht", is_current=True)
    data = {
        "summary": "Das Programm liegt im Plan.",
        "participants": [],
        "agenda_items": [{"title": "Phase 3", "notes": "26 Use Cases"}],
        "decisions": [{"text": "Schulung ausweiten", "source_quote": "", "verified": False}],
        "action_items": [{"task": "Termine planen", "owner": "", "due_date": None}],
        "open_questions": ["Wenige Freigaben"],
        "notes": [],
    }

    def report(title: str, kind: str = "report"):
        job = Job.objects.create(
            owner=ada, kind=kind, status="done", template=template, input_text="Stand: 1.12."
        )
        return Protocol.objects.create(
            job=job,
            owner=ada,
            title=title,
            meeting_date=date(2026, 12, 1),
            template=template,
            output_language="de",
            data=data,
            schema_version=1,
            model_name="tiny.gguf",
        )

    draft = report("Bericht Dezember")
    approved = report("Bericht November")
    approved_at = timezone.now()
    Version.objects.create(
        protocol=approved, number=1, data=data, approved_by=rita, approved_at=approved_at
    )
    tracked = report("Bericht Oktober")
    ActionItem.objects.create(protocol=tracked, version=1, task="Termine planen")
    meeting = report("Jour fixe", kind="protocol")

    apps = migrate_to(AFTER)
    Protocol = apps.get_model("assistants", "Protocol")
    StatusReport = apps.get_model("assistants", "StatusReport")
    Template = apps.get_model("assistants", "ProtocolTemplate")
    # Reports with tracked action items stay protocols, as meetings do.
    assert set(Protocol.objects.values_list("pk", flat=True)) == {tracked.pk, meeting.pk}
    moved = {r.title: r for r in StatusReport.objects.all()}
    assert set(moved) == {"Bericht Dezember", "Bericht November"}
    december = moved["Bericht Dezember"]
    assert december.job_id == draft.job_id and december.status == "draft"
    assert december.facts == "Stand: 1.12." and december.report_date == date(2026, 12, 1)
    assert december.data == {
        "summary": "Das Programm liegt im Plan.",
        "sections": [
            {"title": "Phase 3", "text": "26 Use Cases"},
            {"title": "Empfehlungen", "text": "Schulung ausweiten"},
        ],
        "risks": ["Wenige Freigaben"],
        "next_steps": ["Termine planen"],
        "notes": [],
    }
    november = moved["Bericht November"]
    assert november.status == "approved" and november.approved_by_id == rita.pk
    assert november.approved_at == approved_at
    current = Template.objects.get(key="statusbericht", is_current=True)
    assert current.version == 2 and "Sections" in current.instructions
