"""The steering-committee report: built from the programme's own data, drafted by the local
model into its own document, corrected, approved and exported in its own layout."""

from __future__ import annotations

import io
import json

import docx
import pytest
from django.core.management import call_command

from assistants import report_schema
from assistants.models import GenerationJob, Protocol, StatusReport
from assistants.services import reports
from assistants.services.generation import generation_job_run
from assistants.tasks import monthly_report
from portal.models import AuditEntry, User

pytestmark = pytest.mark.django_db

# Over-long, and without a repeating passage (that would be cut as a loop before shortening).
LONG = " ".join(f"Satz{n}" for n in range(1000))
FACTS = "Stand: 01.12.2026\n\nUse Cases:\n- Eingereicht: 26, davon freigegeben: 9\n- Quote 34,6 %"


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
        "Erstellte Protokolle: 3",  # the demo's meeting protocols
    ):
        assert expected in facts or expected.replace("in Bearbeitung", "läuft") in facts, expected


# The tiny test model spells every byte as a token: in 4096 tokens the demo's facts need
# several parts, in 16384 they fit at once.
@pytest.mark.parametrize("n_ctx", [4096, 16384])
def test_report_is_drafted_into_its_own_document(
    client, demo, settings, django_capture_on_commit_callbacks, n_ctx
) -> None:
    settings.LLM_N_CTX = n_ctx
    ada = User.objects.get(email="ada@hallberg.example")
    client.force_login(ada)
    assert client.get("/assistenten/bericht/").status_code == 200
    protocols_before = Protocol.objects.count()  # the demo's
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/assistenten/bericht/", {"language": "de"})
    job = GenerationJob.objects.latest("pk")
    assert response["Location"] == f"/assistenten/auftraege/{job.pk}/"
    assert job.kind == reports.REPORT.key
    assert "Use Cases in den Teams" in job.input_text

    generation_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert (job.parts_total > 1) == (n_ctx == 4096)
    assert bool(job.condensed_note) == (n_ctx == 4096)
    assert Protocol.objects.count() == protocols_before  # a report is not a meeting protocol
    report = StatusReport.objects.get(job=job)
    report_schema.ReportDraft.model_validate(report.data)
    assert report.facts == job.input_text and report.status == StatusReport.Status.DRAFT
    assert report.fact_blocks == job.params["fact_blocks"]  # the same facts, as headed lists
    page = client.get(f"/assistenten/auftraege/{job.pk}/").content.decode()
    assert f'href="/assistenten/berichte/{report.pk}/"' in page and "Bericht öffnen" in page
    detail = client.get(f"/assistenten/berichte/{report.pk}/").content.decode()
    assert "Use Cases in den Teams" in detail  # the facts, beside the draft
    assert "Auf einen Blick" in detail and "<h3>Kennzahlen</h3>" in detail
    # A draft is not exported, not even by an admin.
    assert client.get(f"/assistenten/berichte/{report.pk}/export.pdf").status_code == 404


def _edit(client, report, **changes):
    form = {
        "summary": "26 Use Cases sind eingereicht, 9 freigegeben.",
        "section_0_title": "Use Cases",
        "section_0_text": "Die Teams reichen weiter ein.",
        "section_1_title": "",
        "section_1_text": "",
        "risks": "Wenige Freigaben im Vertrieb",
        "next_steps": "Prüfrunde im Januar\nNeue Schulung",
    }
    return client.post(f"/assistenten/berichte/{report.pk}/bearbeiten/", {**form, **changes})


def test_a_correction_is_checked_and_saved_whole(client, ada) -> None:
    from tests.factories import report_for

    _, report = report_for(ada)
    before = report.data
    client.force_login(ada)

    too_long = _edit(client, report, risks="x" * 401)
    assert too_long.status_code == 200
    assert "höchstens 400 Zeichen" in too_long.content.decode()
    headless = _edit(client, report, section_1_text="Text ohne Überschrift")
    assert "Geben Sie diesem Thema eine Überschrift." in headless.content.decode()
    report.refresh_from_db()
    assert report.data == before  # nothing half-written

    saved = _edit(client, report, section_1_title="Schulungen", section_1_text="Drei Termine.")
    assert saved.status_code == 302
    report.refresh_from_db()
    assert report.data["sections"][1] == {"title": "Schulungen", "text": "Drei Termine."}
    assert report.data["next_steps"] == ["Prüfrunde im Januar", "Neue Schulung"]
    assert report.edited_by == ada
    assert AuditEntry.objects.filter(action="report.edited").count() == 1

    removed = _edit(client, report, section_0_title="", section_0_text="")
    assert removed.status_code == 302
    report.refresh_from_db()
    assert [s["title"] for s in report.data["sections"]] == []


def test_approval_locks_the_report_and_opens_the_export(client, ada, walter, alice) -> None:
    from tests.factories import report_for

    _, report = report_for(ada)
    client.force_login(walter)  # the works council reads approved reports only
    assert client.post(f"/assistenten/berichte/{report.pk}/freigeben/").status_code == 403
    client.force_login(alice)
    assert client.post(f"/assistenten/berichte/{report.pk}/freigeben/").status_code == 403
    client.force_login(ada)
    response = client.post(f"/assistenten/berichte/{report.pk}/freigeben/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == StatusReport.Status.APPROVED and report.approved_by == ada
    assert AuditEntry.objects.filter(action="report.approved").count() == 1

    locked = _edit(client, report, summary="Nachträglich geändert")
    assert locked.status_code == 302
    report.refresh_from_db()
    assert report.data["summary"].startswith("26 Use Cases")
    again = client.post(f"/assistenten/berichte/{report.pk}/freigeben/", follow=True)
    assert "kann nicht mehr geändert werden" in again.content.decode()

    client.force_login(walter)
    assert client.get(f"/assistenten/berichte/{report.pk}/").status_code == 200
    markdown = client.get(f"/assistenten/berichte/{report.pk}/export.md")
    assert markdown.status_code == 200
    text = markdown.content.decode()
    for heading in ("Zusammenfassung", "Use Cases", "Risiken und offene Punkte",
                    "Nächste Schritte", "Anhang – Datengrundlage (aus dem Portal)"):  # fmt: skip
        assert f"\n## {heading}\n" in text, heading
    assert "Beschlüsse" not in text and "Tagesordnung" not in text  # not a protocol's layout
    assert "Freigegeben von Ada Neumann" in text
    word = client.get(f"/assistenten/berichte/{report.pk}/export.docx")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert (
        "Risiken und offene Punkte" in paragraphs and "Wenige Freigaben im Vertrieb" in paragraphs
    )
    assert word["Content-Disposition"].endswith('statusbericht-dezember-2026_2026-12-01.docx"')
    pdf = client.get(f"/assistenten/berichte/{report.pk}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def _answer(**fields) -> str:
    return json.dumps({"summary": "Stand gut.", "sections": [], "risks": [], "next_steps": []}
                      | fields)  # fmt: skip


def test_figures_not_in_the_facts_are_named_for_the_approver() -> None:
    report = report_schema.parse_report(
        _answer(summary="26 Use Cases, 9 freigegeben (34,6 %). Ziel: 40 bis März 2027."),
        facts=FACTS,
    )
    assert len(report.notes) == 1
    assert "40" in report.notes[0] and "26" not in report.notes[0]
    assert "2027" in report.notes[0]
    clean = report_schema.parse_report(_answer(summary="9 von 26 freigegeben."), facts=FACTS)
    assert clean.notes == []


def test_model_strings_are_cleaned_and_bounded() -> None:
    report = report_schema.parse_report(
        _answer(
            summary="Stand\x00 gut\x1b.",
            sections=[{"title": "Use\u200b Cases", "text": LONG}, {"title": "", "text": "a"}],
            risks=["  Risiko  "] * 20,
        ),
        facts=FACTS,
    )
    assert report.summary == "Stand gut."
    assert [s.title for s in report.sections] == ["Use Cases"]
    assert len(report.sections[0].text) <= report_schema.LIMITS["text"]
    assert report.risks == ["Risiko"] * report_schema.LIMITS["risks"]
    assert any("gekürzt" in note or "shortened" in note for note in report.notes)


@pytest.mark.parametrize(
    "raw", ["kein JSON", "[]", '{"summary": 3}', '{"summary": ""}', _answer(sections="viele")]
)
def test_unusable_answers_are_refused(raw: str) -> None:
    with pytest.raises(report_schema.ReportInvalid):
        report_schema.parse_report(raw, facts=FACTS)


def test_monthly_report_for_the_first_programme_admin(demo) -> None:
    job = GenerationJob.objects.get(pk=monthly_report())
    assert job.owner == User.objects.filter(groups__name="programme_admin").order_by("pk").first()
    assert job.kind == reports.REPORT.key


def test_no_admin_no_monthly_report() -> None:
    assert monthly_report() is None
    assert not GenerationJob.objects.exists()


def test_meeting_form_does_not_offer_the_report_template(client, alice) -> None:
    client.force_login(alice)
    assert "Statusbericht" not in client.get("/assistenten/protokoll/neu/").content.decode()


class _Scripted:
    """A backend that answers with the given texts in turn (the model's side of a run)."""

    name, model_name, load_seconds = "scripted", "scripted.gguf", 0.0

    def __init__(self, *answers: tuple[str, str]) -> None:
        self.answers = list(answers)
        self.prompts: list[list[dict]] = []

    def context_length(self) -> int:
        return 32768

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def chat(self, messages, *, max_tokens, json_schema=None, on_text=None):
        from assistants.llm import Generation

        self.prompts.append(messages)
        text, finish = self.answers.pop(0)
        return Generation(text, 10, 10, 0.0, 0.0, finish)


def _report_job(owner) -> GenerationJob:
    return GenerationJob.objects.create(
        kind="report",
        owner=owner,
        input_text=FACTS,
        params={"title": "Statusbericht Dezember 2026", "meeting_date": "2026-12-01"},
        output_language="de",
    )


def test_an_answer_cut_off_at_the_limit_keeps_what_was_finished(ada, monkeypatch) -> None:
    from assistants.services import generation

    cut = '{"summary": "26 Use Cases eingereicht.", "sections": [{"title": "Use Cases", "te'
    monkeypatch.setattr(generation, "get_backend", lambda: _Scripted((cut, "length")))
    job = _report_job(ada)
    generation_job_run(job_id=job.pk)
    report = StatusReport.objects.get(job=job)
    assert report.data["summary"] == "26 Use Cases eingereicht."
    assert report.data["sections"] == [{"title": "Use Cases", "text": ""}]
    assert any("Ausgabegrenze" in note for note in report.data["notes"])


def test_an_unusable_answer_is_asked_again_once(ada, monkeypatch) -> None:
    from assistants.services import generation

    backend = _Scripted(("kein JSON", "stop"), (_answer(summary="9 von 26 freigegeben."), "stop"))
    monkeypatch.setattr(generation, "get_backend", lambda: backend)
    job = _report_job(ada)
    generation_job_run(job_id=job.pk)
    assert StatusReport.objects.get(job=job).data["summary"] == "9 von 26 freigegeben."
    repair = backend.prompts[1]
    assert repair[-2] == {"role": "assistant", "content": "kein JSON"}

    twice = _Scripted(("kein JSON", "stop"), ("[]", "stop"))
    monkeypatch.setattr(generation, "get_backend", lambda: twice)
    failed = _report_job(ada)
    generation_job_run(job_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == GenerationJob.Status.FAILED
    assert "zweiten Versuch" in failed.error and not StatusReport.objects.filter(job=failed)


def test_parts_are_joined_in_order_once_each_within_the_limits() -> None:
    def part(n: int, risks: list[str], note: str) -> report_schema.ReportDraft:
        return report_schema.ReportDraft(
            summary=f"Teil {n}.",
            sections=[{"title": f"Thema {n}.{i}", "text": ""} for i in range(5)],
            risks=risks,
            next_steps=["Prüfrunde im Januar"],
            notes=[note],
        )

    parts = [
        part(1, ["Wenige Freigaben"], "Zahl 40 prüfen"),
        part(2, ["Wenige Freigaben"], "Teil 2 gekürzt"),
        part(3, ["Schulungen voll"], "Zahl 40 prüfen"),
    ]
    joined = report_schema.join_parts(parts, summary="Alles im Plan.")
    assert joined.summary == "Alles im Plan."
    limit = report_schema.LIMITS["sections"]
    assert [s.title for s in joined.sections] == [f"Thema {n}.{i}" for n in (1, 2, 3)
                                                   for i in range(5)][:limit]  # fmt: skip
    assert joined.risks == ["Wenige Freigaben", "Schulungen voll"]
    assert joined.next_steps == ["Prüfrunde im Januar"]
    assert joined.notes.count("Zahl 40 prüfen") == 1
    assert "3 Einträge über der Höchstzahl wurden weggelassen." in joined.notes


def test_a_demo_model_report_is_marked_where_it_goes(client, ada) -> None:
    from tests.factories import report_for

    _, report = report_for(ada)
    StatusReport.objects.filter(pk=report.pk).update(model_name="demo-random-weights.gguf")
    client.force_login(ada)
    detail = client.get(f"/assistenten/berichte/{report.pk}/").content.decode()
    assert "Vom Demo-Modell geschrieben" in detail
    approved = client.post(f"/assistenten/berichte/{report.pk}/freigeben/", follow=True)
    assert "Es stammt vom Demo-Modell mit Zufallsgewichten" in approved.content.decode()
    markdown = client.get(f"/assistenten/berichte/{report.pk}/export.md").content.decode()
    assert "> **MUSTER – geschrieben vom Demo-Modell" in markdown
    entry = AuditEntry.objects.get(action="report.approved")
    assert entry.details == {"demo_model": True}
