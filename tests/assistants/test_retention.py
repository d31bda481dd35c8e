"""Retention: transcripts and drafts go after the configured days, approved protocols stay."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from assistants.models import GenerationJob, Protocol
from assistants.services import review
from assistants.tasks import retention_purge
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db
MARKER = "Geheimprojekt Zugspitze"


def _protocol(owner, title: str):
    from tests.factories import protocol_for

    data = {
        "summary": f"{MARKER} besprochen.",
        "participants": [],
        "agenda_items": [],
        "decisions": [{"text": "Start", "source_quote": f"{MARKER} startet", "verified": True}],
        "action_items": [],
        "open_questions": [],
        "notes": [],
    }
    job, protocol = protocol_for(owner, title=title, data=data)
    GenerationJob.objects.filter(pk=job.pk).update(input_text=f"Anna: {MARKER} startet im Mai.")
    return job, protocol


def _tables_containing(text: str) -> list[str]:
    """Search every text-like column of every table for `text`."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("""SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = 'public'
                          AND data_type IN ('text', 'character varying', 'jsonb')""")
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s',  # noqa: S608
                [f"%{text}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_purge_after_retention_days(alice, rita, settings) -> None:
    settings.TRANSCRIPT_RETENTION_DAYS = 30
    start = timezone.make_aware(datetime(2026, 10, 1, 12))
    with time_machine.travel(start, tick=False):
        _, draft = _protocol(alice, "Entwurf")
        approved_job, approved = _protocol(alice, "Freigegeben")
        review.protocol_submit(protocol=approved, by=alice)
        review.protocol_item_decide(
            protocol=approved, section="decisions", index=0, accept=True, by=rita
        )
        review.protocol_approve(protocol=approved, by=rita)
        failed = GenerationJob.objects.create(
            owner=alice,
            status=GenerationJob.Status.FAILED,
            input_text=MARKER,
            params={"title": MARKER},
        )
    with time_machine.travel(start + timedelta(days=29), tick=False):
        assert retention_purge() == {
            "drafts_deleted": 0,
            "jobs_deleted": 0,
            "transcripts_cleared": 0,
            "transcripts_deleted": 0,
            "recordings_deleted": 0,
        }
    with time_machine.travel(start + timedelta(days=31), tick=False):
        result = retention_purge()
    assert result == {
        "drafts_deleted": 1,
        "jobs_deleted": 2,
        "transcripts_cleared": 1,
        "transcripts_deleted": 0,
        "recordings_deleted": 0,
    }
    assert not Protocol.objects.filter(pk=draft.pk).exists()
    assert not GenerationJob.objects.filter(pk=failed.pk).exists()
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.versions.count() == 1
    approved_job.refresh_from_db()
    assert approved_job.input_text == "" and approved_job.completion_tokens == 10  # figures stay
    # The meeting's words survive only inside the approved record, nowhere else.
    assert sorted(_tables_containing(MARKER)) == [
        "assistants_protocol.data",
        "assistants_protocolversion.data",
    ]
    entry = AuditEntry.objects.get(action="retention.purged")
    assert MARKER not in str(entry.details)


def test_privacy_page_states_the_rule(client, settings) -> None:
    settings.TRANSCRIPT_RETENTION_DAYS = 14
    assert "14" in client.get("/datenschutz/").content.decode()
