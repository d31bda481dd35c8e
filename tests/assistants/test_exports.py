"""Approved protocols export to Markdown, DOCX and PDF; the files are read back (no database)."""

from __future__ import annotations

import dataclasses
import datetime
import io
import sys
import threading
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest
from markdown_it import MarkdownIt

from assistants import exports
from assistants.exports import ExportMeta, export_filename, to_docx, to_markdown, to_pdf

ACCEPTED = "Schulung für Müller im März, Budget 1.200 €"
REJECTED = "GEHEIM: Standort Straße schließen"
PENDING = "Größe der Räume prüfen"
TASK = "Angebot „Größe XL“ an Łukasz Wróbel schicken"
INJECTIONS = [
    "[klick](javascript:alert(1))",
    "![bild](http://evil.example/x.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<http://evil.example/autolink>",
    '<a href="http://evil.example">a</a>',
    "[ref]: http://evil.example/definition",
    "**fett** _kursiv_ `code` ~~weg~~",
    "&lt;b&gt;entity&lt;/b&gt; &#106;avascript:",
    "\\[schon escaped\\](x)",
    "# Überschrift",
    "- Liste",
    "1. Nummer",
    "> Zitat",
    "| a | b |",
]
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "br", "hr"} | {
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def _protocol(**changes: object) -> dict:
    protocol = {
        "summary": "Wir besprachen die Straße vor dem Büro.\n\nDie Größe des Lagers reicht.",
        "participants": ["Jörg Weiß", "Ayşe Yılmaz", "Łukasz Wróbel"],
        "agenda_items": [{"title": "Budget „2027“", "notes": "Kosten: 500 € je Quartal"}],
        "decisions": [
            {"text": ACCEPTED, "source_quote": "", "verified": True, "review": "accepted"},
            {"text": REJECTED, "source_quote": "", "verified": False, "review": "rejected"},
            {"text": PENDING, "source_quote": "", "verified": False},  # older data: no review
        ],
        "action_items": [
            {
                "task": TASK,
                "owner": "Ayşe Yılmaz",
                "due_date": "2026-12-01",
                "source_quote": "",
                "verified": True,
                "review": "accepted",
            },
            {"task": "Verworfene Aufgabe", "owner": "Jörg", "due_date": None, "review": "rejected"},
            {"task": "Protokoll verteilen", "owner": "", "due_date": None, "review": "pending"},
        ],
        "open_questions": ["Wer übernimmt die Schlüssel?"],
        "notes": ["Interne Notiz für die Prüfung"],
    }
    return protocol | changes


def _meta(**changes: object) -> ExportMeta:
    meta = ExportMeta(
        title="Jour fixe Vertrieb",
        meeting_date=datetime.date(2026, 11, 20),
        template_name="Jour fixe",
        version=2,
        approved_by="Rita Prüfer",
        approved_at=datetime.datetime(2026, 11, 21, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        owner="Alice Müller",
        model_name="qwen2.5-7b-instruct",
        language="de",
    )
    return dataclasses.replace(meta, **changes)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _pdf_pages(pdf: bytes) -> list[str]:
    return [_squash(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _docx_texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return [paragraph.text for paragraph in document.paragraphs] + cells


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _render(markdown: str) -> _Html:
    """Render like a permissive viewer would: raw HTML on, GFM tables and strikethrough."""
    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    parser = _Html()
    parser.feed(renderer.render(markdown))
    return parser


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_has_the_accepted_items_and_not_the_rejected() -> None:
    markdown = to_markdown(_protocol(), _meta())

    assert markdown.startswith("# Jour fixe Vertrieb\n")
    assert "Datum: 20.11.2026 · Vorlage: Jour fixe · Erstellt von: Alice Müller" in markdown
    for heading in ("Zusammenfassung", "Teilnehmende", "Tagesordnung", "Beschlüsse"):
        assert f"\n## {heading}\n" in markdown
    assert "\n## Aufgaben\n\n| Aufgabe | Verantwortlich | Fällig |\n| --- | --- | --- |\n" in (
        markdown
    )
    assert "\n## Offene Fragen\n\n- Wer übernimmt die Schlüssel?\n" in markdown
    assert f"- {ACCEPTED}\n" in markdown
    assert f"- {PENDING}\n" in markdown  # no review key: counts as accepted
    assert "| Angebot „Größe XL“ an Łukasz Wróbel schicken | Ayşe Yılmaz | 01.12.2026 |" in (
        markdown
    )
    assert "| Protokoll verteilen | – | – |" in markdown
    assert REJECTED not in markdown
    assert "Verworfene Aufgabe" not in markdown
    assert "Interne Notiz" not in markdown
    assert markdown.endswith(
        "---\n\nFreigegeben von Rita Prüfer am 21.11.2026 · Version 2 · "
        "erstellt mit dem lokalen KI-Modell qwen2.5-7b-instruct\n"
    )


def test_markdown_shows_injected_markup_as_literal_text() -> None:
    data = _protocol(
        summary="\n".join(INJECTIONS),
        participants=INJECTIONS,
        agenda_items=[{"title": text, "notes": text} for text in INJECTIONS],
        decisions=[{"text": text} for text in INJECTIONS],
        action_items=[{"task": text, "owner": text, "due_date": None} for text in INJECTIONS],
        open_questions=INJECTIONS,
    )

    html = _render(to_markdown(data, _meta(title=INJECTIONS[0], model_name=INJECTIONS[1])))

    assert html.tags <= ALLOWED_TAGS, html.tags - ALLOWED_TAGS
    assert html.attributes == []
    text = "".join(html.text)
    for injection in INJECTIONS:
        # Each piece comes through in every place, character for character.
        assert text.count(injection) >= 6, injection


def test_markdown_escapes_nothing_that_is_plain_text() -> None:
    markdown = to_markdown(_protocol(), _meta())

    assert "Kosten: 500 € je Quartal" in markdown
    assert "Die Größe des Lagers reicht." in markdown
    assert "\\" not in markdown  # nothing in the sample needs escaping


# --- DOCX ----------------------------------------------------------------------------------


def test_docx_holds_the_german_text_and_not_the_rejected_item() -> None:
    data = to_docx(_protocol(), _meta())
    texts = _docx_texts(data)

    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text == "Jour fixe Vertrieb"
    assert document.paragraphs[0].style.name == "Title"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Zusammenfassung", "Teilnehmende", "Tagesordnung", "Beschlüsse", "Aufgaben",
        "Offene Fragen",
    ]  # fmt: skip
    for expected in (
        "Datum: 20.11.2026 · Vorlage: Jour fixe · Erstellt von: Alice Müller",
        "Wir besprachen die Straße vor dem Büro.",
        "Die Größe des Lagers reicht.",
        "Łukasz Wróbel",
        "Ayşe Yılmaz",
        "1. Budget „2027“",
        "Kosten: 500 € je Quartal",
        ACCEPTED,
        PENDING,
        "Freigegeben von Rita Prüfer am 21.11.2026 · Version 2 · "
        "erstellt mit dem lokalen KI-Modell qwen2.5-7b-instruct",
    ):
        assert expected in texts, expected
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows == [
        ["Aufgabe", "Verantwortlich", "Fällig"],
        [TASK, "Ayşe Yılmaz", "01.12.2026"],
        ["Protokoll verteilen", "–", "–"],
    ]
    assert not any(REJECTED in text or "Verworfene" in text for text in texts)


def test_docx_sets_core_properties() -> None:
    properties = docx.Document(io.BytesIO(to_docx(_protocol(), _meta()))).core_properties

    assert properties.title == "Jour fixe Vertrieb"
    assert properties.author == "Alice Müller"
    assert properties.last_modified_by == "Rita Prüfer"
    assert properties.created == datetime.datetime(2026, 11, 21, 8, 30, tzinfo=datetime.UTC)
    assert properties.revision == 2


def test_docx_links_and_embeds_nothing() -> None:
    data = _protocol(decisions=[{"text": text} for text in INJECTIONS])

    package = zipfile.ZipFile(io.BytesIO(to_docx(data, _meta())))

    names = package.namelist()
    assert not [name for name in names if name.endswith((".jpeg", ".png", ".emf", ".bin"))]
    for name in names:
        content = package.read(name).decode()
        assert 'TargetMode="External"' not in content, name
        assert "<w:hyperlink" not in content, name
        assert "<w:drawing" not in content, name
    texts = _docx_texts(to_docx(data, _meta()))
    assert set(INJECTIONS) <= set(texts)  # shown as typed


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_text_reads_back_with_umlauts_and_without_the_rejected_item() -> None:
    text = " ".join(_pdf_pages(to_pdf(_protocol(), _meta())))

    for expected in (
        "Jour fixe Vertrieb",
        "Datum: 20.11.2026 · Vorlage: Jour fixe · Erstellt von: Alice Müller",
        "Zusammenfassung",
        "Straße",
        "Größe",
        "€",
        "Schulung für Müller",
        ACCEPTED,
        PENDING,
        "Budget „2027“",
        "Ayşe Yılmaz",
        "Łukasz Wróbel",
        "Aufgabe Verantwortlich Fällig",
        "01.12.2026",
        "Offene Fragen",
        "Freigegeben von Rita Prüfer am 21.11.2026 · Version 2",
        "Seite 1 von 1",
    ):
        assert expected in text, expected
    assert "GEHEIM" not in text
    assert "Verworfene Aufgabe" not in text


def test_pdf_metadata() -> None:
    reader = pypdf.PdfReader(io.BytesIO(to_pdf(_protocol(), _meta())))

    assert reader.metadata.title == "Jour fixe Vertrieb"
    assert reader.metadata.author == "Alice Müller"
    assert reader.metadata.creator == "KI-Portal"
    assert reader.metadata.creation_date == datetime.datetime(
        2026, 11, 21, 8, 30, tzinfo=datetime.UTC
    )


def test_pdf_is_deterministic() -> None:
    assert to_pdf(_protocol(), _meta()) == to_pdf(_protocol(), _meta())


def test_long_pdf_breaks_pages_and_numbers_them() -> None:
    actions = [
        {"task": f"Aufgabe Nummer {n}: Größe prüfen", "owner": "Łukasz", "due_date": None}
        for n in range(1, 81)
    ]

    pages = _pdf_pages(to_pdf(_protocol(action_items=actions), _meta()))

    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Seite {number} von {len(pages)}" in page
    text = " ".join(pages)
    for n in range(1, 81):
        assert f"Aufgabe Nummer {n}: Größe prüfen" in text
    assert sum(page.count("Aufgabe Verantwortlich Fällig") for page in pages) >= 2  # repeated


def test_pdf_writes_markup_and_page_alias_as_text() -> None:
    reader = pypdf.PdfReader(
        io.BytesIO(
            to_pdf(_protocol(decisions=[{"text": t} for t in [*INJECTIONS, "{nb}"]]), _meta())
        )
    )

    text = _squash(" ".join(page.extract_text() for page in reader.pages))
    for injection in [*INJECTIONS, "{nb}"]:
        assert _squash(injection) in text, injection
    for page in reader.pages:
        assert "/Annots" not in page  # no links
        assert not page.images


@pytest.fixture
def audit_events() -> Iterator[list[tuple[str, tuple]]]:
    """Collect this thread's file opens and network calls while the test body runs."""
    events: list[tuple[str, tuple]] = []
    watched = {"open", "socket.connect", "socket.getaddrinfo", "urllib.Request"}
    thread = threading.get_ident()
    recording = True

    def hook(event: str, args: tuple) -> None:
        if recording and event in watched and threading.get_ident() == thread:
            events.append((event, args))

    sys.addaudithook(hook)  # hooks cannot be removed; this one falls silent after the test
    yield events
    recording = False  # the hook reads this cell


def test_pdf_reads_only_the_bundled_fonts_and_opens_no_connection(
    audit_events: list[tuple[str, tuple]],
) -> None:
    to_pdf(_protocol(), _meta())  # first call imports fontTools' lazy modules
    audit_events.clear()

    to_pdf(_protocol(summary=" ".join(INJECTIONS)), _meta())

    assert not [event for event, _ in audit_events if event != "open"]
    opened = {Path(args[0]).resolve() for event, args in audit_events if event == "open"}
    assert opened == {font.resolve() for font in exports.FONT_FILES}


# --- Language and file names ---------------------------------------------------------------


def test_english_protocol_gets_english_labels() -> None:
    meta = _meta(language="en")
    approval = (
        "Approved by Rita Prüfer on 21 November 2026 · version 2 · "
        "drafted by the local AI model qwen2.5-7b-instruct"
    )

    markdown = to_markdown(_protocol(), meta)
    docx_texts = _docx_texts(to_docx(_protocol(), meta))
    pdf_text = " ".join(_pdf_pages(to_pdf(_protocol(), meta)))

    for heading in ("Summary", "Participants", "Agenda", "Decisions", "Action items"):
        assert f"\n## {heading}\n" in markdown
        assert heading in docx_texts
        assert heading in pdf_text
    assert "| Task | Owner | Due |" in markdown
    assert "| Angebot „Größe XL“ an Łukasz Wróbel schicken | Ayşe Yılmaz | 1 December 2026 |" in (
        markdown
    )
    assert "Date: 20 November 2026 · Template: Jour fixe · Created by: Alice Müller" in markdown
    assert approval in markdown
    assert approval in docx_texts
    assert {"Task", "Owner", "Due", "Open questions"} <= set(docx_texts)
    assert "Task Owner Due" in pdf_text
    assert "Page 1 of 1" in pdf_text
    assert _squash(approval) in pdf_text
    for german in ("Zusammenfassung", "Aufgaben", "Freigegeben", "Seite"):
        assert german not in markdown + " ".join(docx_texts) + pdf_text


@pytest.mark.parametrize(
    ("title", "ext", "expected"),
    [
        ("Jour fixe Vertrieb", "pdf", "jour-fixe-vertrieb_2026-11-20_v2.pdf"),
        (
            "Größenplanung Süd/Öst & Übergabe",
            "docx",
            "groessenplanung-sued-oest-uebergabe_2026-11-20_v2.docx",
        ),
        ("Toplantı Łódź – Café", ".md", "toplanti-lodz-cafe_2026-11-20_v2.md"),
        ("../../etc/passwd", "pdf", "etc-passwd_2026-11-20_v2.pdf"),
        ("会议", "pdf", "protokoll_2026-11-20_v2.pdf"),
    ],
)
def test_export_filename_is_an_ascii_slug(title: str, ext: str, expected: str) -> None:
    assert export_filename(_meta(title=title), ext) == expected


def test_empty_sections_are_left_out() -> None:
    data = {"summary": "Kurz.", "decisions": [{"text": REJECTED, "review": "rejected"}]}

    markdown = to_markdown(data, _meta())

    assert "## Zusammenfassung" in markdown
    assert "## Beschlüsse" not in markdown
    assert "## Aufgaben" not in markdown
    assert "Beschlüsse" not in _docx_texts(to_docx(data, _meta()))
    assert "Beschlüsse" not in " ".join(_pdf_pages(to_pdf(data, _meta())))


def test_demo_model_output_is_marked_a_sample_on_every_page() -> None:
    actions = [{"task": f"Aufgabe {n}", "owner": "", "due_date": None} for n in range(80)]
    demo = _meta(demo=True, model_name="demo-random-weights.gguf")
    sample = "MUSTER – geschrieben vom Demo-Modell mit Zufallsgewichten"

    pages = _pdf_pages(to_pdf(_protocol(action_items=actions), demo))
    assert len(pages) >= 3 and all(sample in page for page in pages)
    assert to_markdown(_protocol(), demo).splitlines()[2].startswith(f"> **{sample}")
    word = docx.Document(io.BytesIO(to_docx(_protocol(), demo)))
    assert sample in word.paragraphs[1].text
    assert sample in word.sections[0].header.paragraphs[0].text
    # A real model's protocol carries no mark.
    assert "MUSTER" not in " ".join(_pdf_pages(to_pdf(_protocol(), _meta())))
    assert "MUSTER" not in to_markdown(_protocol(), _meta())
