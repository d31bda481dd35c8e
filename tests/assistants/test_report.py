"""The steering-committee report: built from the programme's own data, drafted, reviewed."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from assistants import schema
from assistants.models import GenerationJob, Protocol
from assistants.services import reports, review
from assistants.services.protocols import generation_job_run
from assistants.tasks import monthly_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tiny_chat_model):
    settings.LLM_MODEL_PATH = tiny_chat_model
    settings.LLM_DEMO_MODEL = False
    settings.LLM_MAX_OUTPUT_TOKENS = 1024
    call_command("seed_demo")


def test_facts_come_from_the_demo_programme(demo) -> None:
    facts = reports.report_facts()
    for expected in (
        "Kickoff: KI-Grundlagen für alle",
        "Use Cases in den Teams",
        "in Bearbeitung",
        "Multiplikator",
        "Erstellte Protokolle: 0",
    ):
        assert expected in facts or expected.replace("in Bearbeitung", "läuft") in facts, expected


def test_report_is_drafted_reviewed_and_exported(
    client, demo, django_capture_on_commit_callbacks
) -> None:
    from portal.models import User

    ada = User.objects.get(email="ada@hallberg.example")
    rita = User.objects.get(email="rita@hallberg.example")
    client.force_login(ada)
    assert client.get("/assistenten/bericht/").status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/assistenten/bericht/", {"language": "de"})
    job = GenerationJob.objects.get()
    assert response["Location"] == f"/assistenten/auftraege/{job.pk}/"
    assert job.kind == reports.REPORT.key
    assert "Use Cases in den Teams" in job.input_text
    generation_job_run(job_id=job.pk)
    report = Protocol.objects.get(job=job)
    assert report.template.key == "statusbericht"
    schema.ProtocolDraft.model_validate(report.data)

    review.protocol_submit(protocol=report, by=ada)
    for section in review.REVIEWED_SECTIONS:
        for index in range(len(report.data[section])):
            review.protocol_item_decide(
                protocol=report, section=section, index=index, accept=True, by=rita
            )
    review.protocol_approve(protocol=report, by=rita)
    pdf = client.get(f"/assistenten/protokolle/{report.pk}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_monthly_report_for_the_first_programme_admin(demo) -> None:
    from portal.models import User

    job = GenerationJob.objects.get(pk=monthly_report())
    assert job.owner == User.objects.filter(groups__name="programme_admin").order_by("pk").first()
    assert job.kind == reports.REPORT.key


def test_no_admin_no_monthly_report() -> None:
    assert monthly_report() is None
    assert not GenerationJob.objects.exists()


def test_meeting_form_does_not_offer_the_report_template(client, alice) -> None:
    client.force_login(alice)
    assert "Statusbericht" not in client.get("/assistenten/protokoll/neu/").content.decode()
