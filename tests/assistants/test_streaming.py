"""While the model writes, the job page shows the document as it fills, never raw JSON."""

from __future__ import annotations

import json

import pytest

from assistants.models import GenerationJob
from assistants.streaming import preview

PROTOCOL = {
    "summary": "Der Pilot startet <b>im Dezember</b>.",
    "participants": ["Anna", "Bob"],
    "agenda_items": [{"title": "Pilot", "notes": "Start im Vertrieb"}],
    "decisions": [{"text": "Pilot im Vertrieb", "source_quote": "Wir starten"}],
    "action_items": [{"task": "Schulung planen", "owner": "Bob", "due_date": "2026-12-01"}],
    "open_questions": ["Wer zahlt?"],
}


def test_a_document_cut_anywhere_shows_the_sections_written_so_far() -> None:
    text = json.dumps(PROTOCOL, ensure_ascii=False)
    cut = text[: text.index("Schulung") + 4]  # inside the first action item's task
    blocks = preview(cut)
    assert [str(b["label"]) for b in blocks] == [
        "Zusammenfassung", "Teilnehmende", "Tagesordnung", "Beschlüsse", "Aufgaben",
    ]  # fmt: skip
    assert blocks[0]["text"] == "Der Pilot startet <b>im Dezember</b>."  # escaped by the page
    assert blocks[2]["items"] == ["Pilot: Start im Vertrieb"]
    assert blocks[4]["items"] == ["Schu"]
    whole = preview(text)
    assert whole[4]["items"] == ["Schulung planen – Bob (2026-12-01)"]
    assert whole[5]["items"] == ["Wer zahlt?"]


def test_a_status_report_shows_its_topics_risks_and_steps() -> None:
    report = {"summary": "Gut.", "sections": [{"title": "Use Cases", "text": "26"}],
              "risks": ["Wenige Freigaben"], "next_steps": ["Prüfrunde"]}  # fmt: skip
    blocks = preview(json.dumps(report))
    assert [(str(b["label"]), b.get("items") or b["text"]) for b in blocks] == [
        ("Zusammenfassung", "Gut."),
        ("Themen", ["Use Cases: 26"]),
        ("Risiken und offene Punkte", ["Wenige Freigaben"]),
        ("Nächste Schritte", ["Prüfrunde"]),
    ]


@pytest.mark.parametrize("partial", ["", "   ", "Sure! Here is", "[1, 2", '{"summary": 3}'])
def test_nothing_readable_yet_shows_nothing(partial: str) -> None:
    assert not preview(partial)


@pytest.mark.django_db
def test_the_job_page_shows_sections_not_json(client, alice) -> None:
    text = json.dumps(PROTOCOL, ensure_ascii=False)
    job = GenerationJob.objects.create(
        owner=alice,
        status=GenerationJob.Status.RUNNING,
        params={"title": "Jour fixe"},
        partial_output=text[: text.index("Wer zahlt")],
    )
    client.force_login(alice)
    page = client.get(f"/assistenten/auftraege/{job.pk}/").content.decode()
    assert "<h3>Beschlüsse</h3>" in page and "<li>Pilot im Vertrieb</li>" in page
    assert "Der Pilot startet &lt;b&gt;im Dezember&lt;/b&gt;." in page
    assert '"summary"' not in page and "{&quot;" not in page
