"""The demo's assistant results: one protocol per review stage, the recording's transcript
one of them was made from, and an approved status report, stored as a real run stores them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from assistants import report_schema, schema
from assistants.models import (
    ActionItem,
    GenerationJob,
    Protocol,
    ProtocolEdit,
    ProtocolVersion,
    StatusReport,
    Transcript,
)
from portal.demo import DEMO_DOMAIN
from portal.models import AuditEntry, User

pytestmark = pytest.mark.django_db
S = Protocol.Status


def _person(local: str) -> User:
    return User.objects.get(email=f"{local}@{DEMO_DOMAIN}")


def _counts() -> dict[str, int]:
    models = (GenerationJob, Protocol, ProtocolVersion, ProtocolEdit, ActionItem, Transcript)
    counts = {model.__name__: model.objects.count() for model in models}
    return counts | {
        "StatusReport": StatusReport.objects.count(),
        "AuditEntry": AuditEntry.objects.count(),
    }


@pytest.fixture
def demo() -> None:
    call_command("seed_demo")


def test_seeding_again_adds_nothing_and_each_stage_is_there() -> None:
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["Protocol"] == 3 and first["Transcript"] == 1 and first["StatusReport"] == 1

    alice, bob, rita, ada = (_person(k) for k in ("alice", "bob", "rita", "ada"))
    protocols = {p.status: p for p in Protocol.objects.select_related("job")}
    assert set(protocols) == {S.APPROVED, S.IN_REVIEW, S.RETURNED}
    approved, waiting, returned = (
        protocols[S.APPROVED],
        protocols[S.IN_REVIEW],
        protocols[S.RETURNED],
    )
    assert (approved.owner, approved.approved_by) == (alice, rita)
    assert approved.versions.get().approved_by == rita
    assert waiting.owner == bob and returned.owner == alice
    assert "Betriebsrat" in returned.return_comment
    for protocol in protocols.values():
        job = protocol.job
        assert (job.kind, job.status, job.attempts) == ("protocol", "done", 1)
        assert job.input_text and job.finished_at > job.started_at >= job.created_at
        assert job.finished_at <= protocol.created_at + timedelta(seconds=1)
        # what is stored is what the worker's validation makes of it, quotes verified
        schema.ProtocolDraft.model_validate(protocol.data)
        items = [*protocol.data["decisions"], *protocol.data["action_items"]]
        assert items and all(item["verified"] for item in items)
        assert all(schema.quote_key(i["source_quote"]) in schema.match_key(job.input_text)
                   for i in items)  # fmt: skip
        assert not protocol.data["notes"] and not protocol.from_demo_model
        # dated a few days back, well inside the retention period of drafts and transcripts
        age = (timezone.localdate() - protocol.meeting_date).days
        assert 0 < age < settings.TRANSCRIPT_RETENTION_DAYS - 7
    assert AuditEntry.objects.filter(action="protocol.approve", actor=rita).count() == 1
    assert AuditEntry.objects.filter(action="protocol.return", actor=rita).count() == 1
    assert AuditEntry.objects.filter(action="protocol.submit").count() == 3

    # the approved one came from alice's recording, its action items are records now
    transcript = Transcript.objects.get()
    assert transcript.owner == alice and approved.job.params["transcript_id"] == transcript.pk
    assert len(transcript.turns) >= 10 and all(t["speaker"] for t in transcript.turns)
    assert transcript.job.kind == "transcript" and transcript.job.status == "done"
    items = {item.owner.email.split("@")[0]: item for item in approved.action_items.all()}
    assert {"alice", "bob"} <= set(items)
    assert items["bob"].status == ActionItem.Status.DONE and items["bob"].done_at
    assert items["alice"].status == ActionItem.Status.OPEN
    assert AuditEntry.objects.filter(action="action_item.done", actor=bob).count() == 1
    # the reviewer still has items to decide in the waiting one
    assert any(i.get("review", "pending") == "pending" for i in waiting.data["action_items"])

    report = StatusReport.objects.get()
    assert (report.owner, report.status, report.approved_by) == (ada, "approved", ada)
    report_schema.ReportDraft.model_validate(report.data)
    assert not report.data["notes"] and "Erstellte Protokolle: 3" in report.facts
    assert report.fact_blocks == report.job.params["fact_blocks"]  # as a requested report keeps


def test_the_approved_protocol_and_its_transcript_read_as_a_finished_result(client, demo) -> None:
    alice = _person("alice")
    protocol = Protocol.objects.get(status=S.APPROVED)
    transcript = Transcript.objects.get()
    client.force_login(alice)

    response = client.get(f"/assistenten/protokolle/{protocol.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Freigegeben von Rita Hoffmann" in page and "Angebotsvorlage für Antriebspakete" in page
    assert "Quelle im Transkript gefunden" in page
    # each quote links to where it was said: the first decision, bob's action item
    for anchor, clock in ((131, "02:11"), (64, "01:04")):
        assert f'href="/assistenten/transkripte/{transcript.pk}/#t-{anchor}"' in page
        assert f"gesagt bei {clock}" in page
    assert "zugeordnet an Bob Wagner" in page
    for fmt in ("md", "docx", "pdf"):
        assert client.get(f"/assistenten/protokolle/{protocol.pk}/export.{fmt}").status_code == 200

    transcript_page = client.get(f"/assistenten/transkripte/{transcript.pk}/").content.decode()
    assert 'id="t-131"' in transcript_page and "02:11" in transcript_page
    for turn in transcript.turns:
        assert turn["speaker"] in transcript_page
    assert "Sprecher nicht benannt" not in transcript_page

    tasks = client.get("/assistenten/aufgaben/").content.decode()
    assert "Angebotsvorlage für Antriebspakete" in tasks


def test_the_reviewer_finds_the_waiting_protocol_and_the_owner_the_returned_one(
    client, demo
) -> None:
    waiting = Protocol.objects.get(status=S.IN_REVIEW)
    returned = Protocol.objects.get(status=S.RETURNED)
    client.force_login(_person("rita"))
    inbox = client.get("/zu-erledigen/").content.decode()
    assert "Zu prüfende Protokolle" in inbox and waiting.title in inbox
    assert f"/assistenten/protokolle/{waiting.pk}/" in inbox
    assert waiting.title in client.get("/").content.decode()
    review_page = client.get(f"/assistenten/protokolle/{waiting.pk}/").content.decode()
    assert "Protokoll freigeben" in review_page and "Bob Wagner" in review_page

    client.force_login(_person("alice"))
    inbox = client.get("/zu-erledigen/").content.decode()
    assert "An Sie zurückgegebene Protokolle" in inbox and returned.title in inbox
    page = client.get(f"/assistenten/protokolle/{returned.pk}/").content.decode()
    assert "Zurückgegeben mit dem Kommentar:" in page and "Zur Prüfung einreichen" in page


def test_no_page_of_the_demo_results_fails_for_owner_reviewer_or_admin(client, demo) -> None:
    urls = ["/", "/assistenten/", "/assistenten/aufgaben/", "/zu-erledigen/"]
    for protocol in Protocol.objects.all():
        base = f"/assistenten/protokolle/{protocol.pk}/"
        urls += [base, f"/assistenten/auftraege/{protocol.job_id}/"]
        urls += [f"{base}export.{fmt}" for fmt in ("md", "docx", "pdf")]
        urls += [
            f"{base}punkte/action_items/0/bearbeiten/",
            f"{base}punkte/decisions/0/bearbeiten/",
        ]
    transcript = Transcript.objects.get()
    urls += [
        f"/assistenten/transkripte/{transcript.pk}/",
        f"/assistenten/transkripte/{transcript.pk}/abschnitte/1/",
        f"/assistenten/auftraege/{transcript.job_id}/",
        f"/assistenten/protokoll/neu/?transkript={transcript.pk}",
    ]
    report = StatusReport.objects.get()
    urls += ["/assistenten/berichte/", f"/assistenten/berichte/{report.pk}/"]
    urls += [f"/assistenten/berichte/{report.pk}/export.{fmt}" for fmt in ("md", "docx", "pdf")]
    seen = {}
    for local in ("alice", "bob", "rita", "ada", "walter"):
        client.force_login(_person(local))
        for url in urls:
            status = client.get(url).status_code
            assert status < 500, (local, url, status)
            seen[(local, url)] = status
    report_url = f"/assistenten/berichte/{report.pk}/"
    assert seen[("ada", report_url)] == seen[("walter", report_url)] == 200
    transcript_url = f"/assistenten/transkripte/{transcript.pk}/"
    assert seen[("alice", transcript_url)] == seen[("rita", transcript_url)] == 200
    for protocol in Protocol.objects.all():
        url = f"/assistenten/protokolle/{protocol.pk}/"
        owner = protocol.owner.email.split("@")[0]
        assert seen[(owner, url)] == seen[("rita", url)] == seen[("ada", url)] == 200


def test_seeding_queues_no_job_and_sends_no_mail(django_capture_on_commit_callbacks) -> None:
    from assistants.demo import seed_assistants
    from portal.demo import seed_people

    seed_people(lambda line: None)
    with django_capture_on_commit_callbacks() as callbacks:
        seed_assistants(lambda line: None)
    assert Protocol.objects.count() == 3 and StatusReport.objects.count() == 1
    assert callbacks == []  # no worker's wake-up, no action item's mail


def test_an_answer_that_would_not_pass_as_a_models_is_refused(monkeypatch) -> None:
    from assistants import demo
    from assistants.demo import texts
    from portal.demo import seed_people

    def misquoted(names, day):
        meeting = texts.jour_fixe(names, day)
        meeting.answer["decisions"][0]["source_quote"] = "Das hat so niemand gesagt, ehrlich."
        return meeting

    seed_people(lambda line: None)
    monkeypatch.setattr(texts, "MEETINGS", [(9, 9, misquoted)])
    with pytest.raises(demo.DemoDataInvalid, match="quote not in the transcript"):
        demo.seed_assistants(lambda line: None)
    assert not Protocol.objects.exists() and not Transcript.objects.exists()
