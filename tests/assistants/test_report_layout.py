"""The status report's own layout: a header block, the figures at a glance, the text, and the
facts as headed lists, on the page and in the PDF, DOCX and Markdown exports; reports kept
only as text, and broken stored facts, still render."""

from __future__ import annotations

import io

import docx
import pypdf
import pytest
from django.core.management import call_command
from django.utils import timezone

from assistants import fact_blocks, report_exports
from assistants.models import GenerationJob, StatusReport
from assistants.services import reports
from portal import report as portal_report
from tests.factories import REPORT_FACTS, report_for

pytestmark = pytest.mark.django_db

PHASES = ["Phase", "Status", "Zeitraum", "Zeit vergangen", "Meilensteine"]
KPIS = ["Kennzahl", "Phase", "Ist", "Zielwert", "Status"]
BLOCKS = [
    {
        "heading": "Phasen",
        "lines": [
            "Programm: KI-Programm Hallberg (Hallberg GmbH)",
            "Phase 1 Kickoff: abgeschlossen",
        ],
        "table": {
            "columns": PHASES,
            "rows": [
                {
                    "cells": [
                        "1. Kickoff",
                        "abgeschlossen",
                        "01.09.–30.09.2026",
                        "100 %",
                        "2 von 2",
                    ],
                    "tone": "good",
                },
                {
                    "cells": [
                        "3. Use Cases",
                        "läuft, überfällig",
                        "01.11.–31.12.2026",
                        "50 %",
                        "1 von 3",
                    ],
                    "tone": "bad",
                },
            ],
        },
        "key_facts": {
            "programme": "KI-Programm Hallberg",
            "organisation": "Hallberg GmbH",
            "current_phase": "3. Use Cases",
        },
    },
    {
        "heading": "Kennzahlen",
        "lines": ["Validierte Use Cases (Phase 3): Ist 9, Ziel 20 (45 % des Ziels, im Rückstand)"],
        "table": {
            "columns": KPIS,
            "rows": [
                {
                    "cells": ["Validierte Use Cases", "3", "9", "20", "im Rückstand (45 %)"],
                    "tone": "bad",
                }
            ],
        },
    },
    {"heading": "Use Cases", "lines": ["Eingereicht: 26, davon freigegeben: 9"]},
]


def _report(ada, *, blocks=BLOCKS, approved=True, **changes) -> StatusReport:
    _, report = report_for(ada, approved_by=ada if approved else None)
    StatusReport.objects.filter(pk=report.pk).update(fact_blocks=blocks, **changes)
    report.refresh_from_db()
    return report


def _docx(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _pdf_pages(content: bytes) -> list[str]:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return [" ".join(page.extract_text().split()) for page in pages]


def _exports(client, report) -> dict[str, bytes]:
    out = {}
    for fmt in ("md", "docx", "pdf"):
        response = client.get(f"/assistenten/berichte/{report.pk}/export.{fmt}")
        assert response.status_code == 200, fmt
        out[fmt] = response.content
    return out


# --- Gathering the facts -----------------------------------------------------------------------


def test_the_programme_hands_in_its_phases_and_kpis_as_tables(client, ada, settings) -> None:
    call_command("seed_demo")
    blocks = fact_blocks.gather()
    by_heading = {block["heading"]: block for block in blocks}
    phases, kpis = by_heading["Phasen"], by_heading["Kennzahlen"]
    assert phases["table"]["columns"] == PHASES
    assert len(phases["table"]["rows"]) == 5  # the five phases
    assert phases["table"]["rows"][0]["cells"][0].startswith("1. Kickoff")
    assert phases["key_facts"]["programme"] and phases["key_facts"]["current_phase"]
    assert kpis["table"]["columns"] == KPIS
    standings = {row["cells"][-1].split(" (")[0] for row in kpis["table"]["rows"]}
    assert standings <= {"im Plan", "im Rückstand", "erreicht", "noch nicht gemessen"}
    assert {row["tone"] for row in kpis["table"]["rows"]} <= set(portal_report.TONES)
    # The model still reads the same text: the lines, under their headings.
    text = reports.report_facts()
    assert text == fact_blocks.as_text(blocks, timezone.localdate())
    assert "\n\nPhasen:\n- Programm: " in text
    assert set(fact_blocks.KEY_FACT_LABELS) == set(portal_report.KEY_FACTS)

    # The drafting page shows the same figures as tables and headed lists, no text wall.
    client.force_login(ada)
    page = client.get("/assistenten/bericht/").content.decode()
    assert "<caption>Phasen</caption>" in page and "<h3>Kennzahlen</h3>" in page
    assert "<pre" not in page

    # Requested now, the job carries the blocks; its report keeps them.
    job = reports.report_job_create(owner=ada, language="de")
    assert job.params["fact_blocks"] == blocks and job.input_text == text


def test_a_report_keeps_the_blocks_of_its_job(ada, monkeypatch) -> None:
    from assistants.services import generation
    from assistants.services.generation import generation_job_run
    from tests.assistants.test_report import _answer, _Scripted

    monkeypatch.setattr(generation, "get_backend", lambda: _Scripted((_answer(), "stop")))
    job = GenerationJob.objects.create(
        kind="report",
        owner=ada,
        input_text=REPORT_FACTS,
        output_language="de",
        params={"title": "Statusbericht", "meeting_date": "2026-12-01", "fact_blocks": BLOCKS},
    )
    generation_job_run(job_id=job.pk)
    assert StatusReport.objects.get(job=job).fact_blocks == BLOCKS


# --- The page ----------------------------------------------------------------------------------


def test_the_page_has_a_header_block_figures_and_headed_facts(client, ada) -> None:
    report = _report(ada, approved=False)
    client.force_login(ada)
    page = client.get(f"/assistenten/berichte/{report.pk}/").content.decode()
    head = page.split('class="panel report-head"')[1].split("</header>")[0]
    for expected in (
        "Statusbericht für den Lenkungskreis",
        "Statusbericht Dezember 2026",
        "Stand",
        "01.12.2026",
        "Programm",
        "KI-Programm Hallberg",
        "Aktuelle Phase",
        "3. Use Cases",
        "Entwurf",
        "noch nicht freigegeben",
    ):
        assert expected in head, expected
    glance = page.split('aria-labelledby="glance-h"')[1].split("</section>")[0]
    assert "Auf einen Blick" in glance
    assert "<caption>Phasen</caption>" in glance and "<caption>Kennzahlen</caption>" in glance
    assert '<th scope="col">Zielwert</th>' in glance
    assert '<tr class="tone-bad"><th scope="row">Validierte Use Cases</th>' in glance
    assert "<td>im Rückstand (45 %)</td>" in glance
    facts = page.split('aria-labelledby="facts-h"')[1].split("</section>")[0]
    assert "<h3>Phasen</h3>" in facts and "<h3>Use Cases</h3>" in facts
    assert "<li>Eingereicht: 26, davon freigegeben: 9</li>" in facts
    assert "<pre" not in page
    # The text between the figures and the facts, the risks and next steps as lists.
    assert page.index("glance-h") < page.index("summary-h") < page.index("facts-h")
    assert "<li>Wenige Freigaben im Vertrieb</li>" in page
    assert 'href="/static/css/report.css"' in page or "css/report." in page

    approved = client.get(f"/assistenten/berichte/{_report(ada).pk}/").content.decode()
    head = approved.split('class="panel report-head"')[1].split("</header>")[0]
    assert "Freigegeben" in head and "Ada Neumann am" in head


def test_an_old_report_kept_only_as_text_still_renders_and_exports(client, ada, walter) -> None:
    report = _report(ada, blocks=[])
    client.force_login(walter)
    page = client.get(f"/assistenten/berichte/{report.pk}/").content.decode()
    assert "<pre" in page and "Eingereicht: 26, davon freigegeben: 9" in page
    assert "Auf einen Blick" not in page  # no figures to show
    out = _exports(client, report)
    markdown = out["md"].decode()
    assert "## Anhang – Datengrundlage (aus dem Portal)" in markdown
    assert "Eingereicht: 26, davon freigegeben: 9" in markdown
    word = [p.text for p in _docx(out["docx"]).paragraphs]
    assert "Anhang – Datengrundlage (aus dem Portal)" in word
    assert any("Eingereicht: 26" in text for text in word)
    assert "Eingereicht: 26, davon freigegeben: 9" in " ".join(_pdf_pages(out["pdf"]))


# --- The exports -------------------------------------------------------------------------------


def test_the_exports_have_title_block_figures_and_appendix(client, ada) -> None:
    report = _report(ada)
    client.force_login(ada)
    out = _exports(client, report)

    document = _docx(out["docx"])
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[:2] == ["Statusbericht für den Lenkungskreis", "Statusbericht Dezember 2026"]
    title_block, phases, kpis = document.tables
    assert ["Stand", "01.12.2026"] in _rows(title_block)
    assert ["Programm", "KI-Programm Hallberg"] in _rows(title_block)
    assert ["Status", "Freigegeben"] in _rows(title_block)
    assert _rows(phases)[0] == PHASES and _rows(kpis)[0] == KPIS
    assert _rows(kpis)[1] == ["Validierte Use Cases", "3", "9", "20", "im Rückstand (45 %)"]
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    for expected in [
        ("Heading 1", "Auf einen Blick"),
        ("Heading 2", "Phasen"),
        ("Heading 1", "Zusammenfassung"),
        ("Heading 1", "Nächste Schritte"),
        ("Heading 1", "Anhang – Datengrundlage (aus dem Portal)"),
        ("Heading 2", "Use Cases"),
    ]:
        assert expected in headings, expected
    assert (
        headings.index(("Heading 1", "Auf einen Blick"))
        < headings.index(("Heading 1", "Zusammenfassung"))
        < headings.index(("Heading 1", "Anhang – Datengrundlage (aus dem Portal)"))
    )
    assert paragraphs[-1].startswith("Freigegeben von Ada Neumann am")  # the approval closes it
    assert "Beschlüsse" not in paragraphs and "Tagesordnung" not in paragraphs

    pages = _pdf_pages(out["pdf"])
    first = pages[0]
    for expected in (
        "Statusbericht für den Lenkungskreis",
        "Statusbericht Dezember 2026",
        "Stand 01.12.2026",
        "Programm KI-Programm Hallberg",
        "Auf einen Blick",
        "Zeit vergangen",
        "Validierte Use Cases 3 9 20 im Rückstand (45 %)",
    ):
        assert expected in first, expected
    assert all(f"Seite {n} von {len(pages)}" in page for n, page in enumerate(pages, start=1))
    appendix = next(n for n, page in enumerate(pages) if "Anhang – Datengrundlage" in page)
    assert appendix > 0 and "Eingereicht: 26, davon freigegeben: 9" in pages[appendix]
    assert "Freigegeben von Ada Neumann am" in pages[-1]

    markdown = out["md"].decode()
    assert markdown.startswith("**Statusbericht für den Lenkungskreis**\n\n# Statusbericht")
    assert "- **Programm:** KI-Programm Hallberg" in markdown
    assert (
        "### Phasen\n\n| Phase | Status | Zeitraum | Zeit vergangen | Meilensteine |\n"
        + ("| --- | --- | --- | --- | --- |\n| 1. Kickoff |")
        in markdown
    )
    assert "### Use Cases\n\n- Eingereicht: 26, davon freigegeben: 9" in markdown
    assert (
        markdown.index("## Auf einen Blick")
        < markdown.index("## Zusammenfassung")
        < (markdown.index("## Anhang"))
    )


def test_an_english_report_has_english_labels(client, ada) -> None:
    report = _report(ada, output_language="en")
    document = report_exports.report_document(report)
    assert document.kicker == "Status report for the steering committee"
    assert ("As of", "1 December 2026") in document.title_rows
    assert document.sections[0][0] == "At a glance"
    assert document.closing_line.startswith("Approved by Ada Neumann on")


def test_a_demo_model_report_is_marked_in_every_format(client, ada) -> None:
    report = _report(ada, model_name="demo-random-weights.gguf")
    client.force_login(ada)
    out = _exports(client, report)
    assert all("MUSTER" in page for page in _pdf_pages(out["pdf"]))
    assert any("MUSTER" in p.text for p in _docx(out["docx"]).paragraphs)
    assert "> **MUSTER" in out["md"].decode()


# --- Bad stored data ---------------------------------------------------------------------------

LONG = "x" * 5000
BAD_BLOCKS = [
    {"heading": "Kaputt\x01\x1b[31m", "lines": ["Zeile\u202emit\x07Steuerzeichen", 7, None, {}]},
    {"lines": ["ohne Überschrift"]},
    {"heading": "Ohne Zeilen"},
    "kein Objekt",
    {"heading": "Lang " + LONG, "lines": [LONG], "key_facts": {"programme": LONG, "admin": "x"}},
    {
        "heading": "Tabelle",
        "lines": ["a"],
        "table": {
            "columns": ["A", "B"],
            "rows": [
                {"cells": ["1"]},
                {"cells": ["1", "2", "3"], "tone": "<script>"},
                {"cells": "nein"},
                ["x"],
                {"cells": [LONG, "<script>alert(1)</script>"]},
            ],
        },
    },
    {
        "heading": "Ohne Spalten",
        "lines": ["b"],
        "table": {"columns": [], "rows": [{"cells": ["1"]}]},
    },
    {"heading": "Spalten kein Array", "lines": ["c"], "table": {"columns": "A", "rows": "B"}},
]


@pytest.mark.parametrize("blocks", [BAD_BLOCKS, {"heading": "x"}, "Text", 42, [None, 3], [[]]])
def test_broken_stored_facts_neither_crash_nor_leak(client, ada, blocks) -> None:
    report = _report(ada)
    StatusReport.objects.filter(pk=report.pk).update(fact_blocks=blocks)
    report.refresh_from_db()
    client.force_login(ada)
    response = client.get(f"/assistenten/berichte/{report.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    out = _exports(client, report)
    word = _docx(out["docx"])
    texts = [p.text for p in word.paragraphs] + [
        cell.text for table in word.tables for row in table.rows for cell in row.cells
    ]
    markdown = out["md"].decode()
    everything = [page, markdown, "\n".join(texts), " ".join(_pdf_pages(out["pdf"]))]
    for shown in everything:
        for leak in (
            "\x01",
            "\x1b",
            "\x07",
            "\u202e",
            "key_facts",
            "'cells'",
            '"heading"',
            "tone-<",
            LONG[:1000],
        ):
            assert leak not in shown, leak
    # Markup in a value is text: escaped on the page and in Markdown (DOCX and PDF hold text).
    assert "<script>alert" not in page and "<script>alert" not in markdown
    if blocks is BAD_BLOCKS:
        assert "Zeilemit" in page and "<caption>Tabelle</caption>" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, escaped
        assert "Ohne Spalten" in page and "admin" not in page.split("</header>")[0]


def test_rows_of_stored_tables_are_made_as_wide_as_their_head() -> None:
    facts = fact_blocks.read(BAD_BLOCKS)
    (table_block,) = facts.tables
    assert table_block.table.columns == ["A", "B"]
    assert [row.cells for row in table_block.table.rows][:2] == [["1", ""], ["1", "2"]]
    assert all(row.tone in portal_report.TONES for row in table_block.table.rows)
    assert all(len(row.cells[0]) <= fact_blocks.LIMITS["cell"] for row in table_block.table.rows)
    assert facts.blocks[0].heading == "Kaputt[31m"
    assert facts.key_facts == {"programme": "x" * (fact_blocks.LIMITS["key_fact"] - 1) + "…"}
