"""Export an approved document (a meeting protocol, a status report) as Markdown, DOCX or PDF.

Pure functions: each format renders a `Document` (title, lines, sections); a protocol's is
built from its stored JSON and an `ExportMeta` here, a status report's in
assistants/report_exports.py. Nothing here touches the database. Only accepted decisions and
action items of a protocol are exported: a missing `review` counts as accepted, "pending" is
kept, "rejected" is left out. Every string is untrusted model or reviewer text: Markdown
escapes it, DOCX and PDF write it as plain runs and cells. No HTML parser, no hyperlinks, no
images; the PDF reads the two bundled DejaVu fonts and no other file or URL.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from fpdf import FPDF, FontFace, XPos, YPos

from assistants.rendering import plain

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FILES = (FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf")
CREATOR = "KI-Portal"
EMPTY = "–"  # shown for a missing owner or due date

LABELS = {
    "de": {
        "summary": "Zusammenfassung", "participants": "Teilnehmende", "agenda": "Tagesordnung",
        "decisions": "Beschlüsse", "action_items": "Aufgaben", "task": "Aufgabe",
        "owner": "Verantwortlich", "due": "Fällig", "open_questions": "Offene Fragen",
        "meta": "Datum: {date} · Vorlage: {template} · Erstellt von: {owner}",
        "approval": "Freigegeben von {approver} am {date} · Version {version} · "
        "erstellt mit dem lokalen KI-Modell {model}",
        "page": "Seite {page} von {pages}",
        "demo": "MUSTER – geschrieben vom Demo-Modell mit Zufallsgewichten: Der Inhalt ist "
        "bedeutungslos und darf nicht verwendet werden.",
    },
    "en": {
        "summary": "Summary", "participants": "Participants", "agenda": "Agenda",
        "decisions": "Decisions", "action_items": "Action items", "task": "Task",
        "owner": "Owner", "due": "Due", "open_questions": "Open questions",
        "meta": "Date: {date} · Template: {template} · Created by: {owner}",
        "approval": "Approved by {approver} on {date} · version {version} · "
        "drafted by the local AI model {model}",
        "page": "Page {page} of {pages}",
        "demo": "SAMPLE – written by the random-weight demo model: the content is meaningless "
        "and must not be used.",
    },
}  # fmt: skip
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


@dataclass
class ExportMeta:
    title: str
    meeting_date: datetime.date
    template_name: str
    version: int
    approved_by: str
    approved_at: datetime.datetime  # local time: its date is printed as the approval date
    owner: str
    model_name: str
    language: Literal["de", "en"]
    demo: bool = False  # written by the random-weight demo model: every page says so


# A section is (heading, kind, body). Kinds: "text" (str with paragraphs), "list" (list of
# str), "agenda" (list of numbered (title, notes)), "table" (header row, then rows, all of
# one width), "sections" (list of sections, headed one level down).
Section = tuple[str, str, Any]


@dataclass
class Document:
    """What every format renders: a protocol's or a status report's approved text."""

    title: str
    meta_line: str
    sections: list[Section]
    closing_line: str
    language: str
    author: str
    subject: str
    approved_by: str
    approved_at: datetime.datetime
    revision: int
    page_label: str
    watermark: str = ""  # shown on top and on every page (demo-model output)
    # The title block beyond title and meta line: a line above the title ("Statusbericht")
    # and (label, value) rows under it. A company's logo or name would join them here.
    kicker: str = ""
    title_rows: list[tuple[str, str]] = field(default_factory=list)
    appendix: list[Section] = field(default_factory=list)  # after the sections, on a new page
    # The company's branding (portal.branding): its name above the title and in the page
    # header, its logo (a PNG the portal re-encoded) at the top of the first page.
    company: str = ""
    logo: bytes | None = None


def company_branding() -> dict[str, Any]:
    """The `company` and `logo` of a Document, as the admin set them."""
    from portal import branding

    look = branding.current()
    return {
        "company": text_of(look.company_name),
        "logo": branding.logo_bytes() if look.logo_sha256 else None,
    }


def protocol_document(data: dict, meta: ExportMeta) -> Document:
    return Document(
        title=text_of(meta.title),
        meta_line=_meta_line(meta),
        sections=_sections(data, meta),
        closing_line=_approval_line(meta),
        language=meta.language,
        author=text_of(meta.owner),
        subject=text_of(meta.template_name),
        approved_by=text_of(meta.approved_by),
        approved_at=meta.approved_at,
        revision=meta.version,
        page_label=_labels(meta)["page"],
        watermark=_labels(meta)["demo"] if meta.demo else "",
        **company_branding(),
    )


def _labels(meta: ExportMeta) -> dict[str, str]:
    return LABELS.get(meta.language, LABELS["de"])


def format_date(value: datetime.date, language: str) -> str:
    if language == "en":
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    return value.strftime("%d.%m.%Y")


def text_of(value: object) -> str:
    return plain(value).strip() if isinstance(value, str) else ""


def dicts_of(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _accepted(value: object) -> list[dict]:
    return [item for item in dicts_of(value) if item.get("review") != "rejected"]


def texts_of(value: object) -> list[str]:
    return [t for t in map(text_of, value if isinstance(value, list) else []) if t]


def _due(value: object, language: str) -> str:
    try:
        return format_date(datetime.date.fromisoformat(str(value)), language)
    except ValueError:
        return text_of(value) or EMPTY  # None or unreadable: shown as it is, never dropped


def _action(item: dict, language: str) -> tuple[str, str, str]:
    owner = text_of(item.get("owner")) or EMPTY
    return (text_of(item.get("task")), owner, _due(item.get("due_date"), language))


def _sections(data: dict, meta: ExportMeta) -> list[Section]:
    """Return the protocol's non-empty sections in order, accepted items only, text cleaned."""
    labels = _labels(meta)
    agenda = [
        (f"{number}. {text_of(item.get('title'))}", text_of(item.get("notes")))
        for number, item in enumerate(dicts_of(data.get("agenda_items")), start=1)
    ]
    decisions = [text_of(item.get("text")) for item in _accepted(data.get("decisions"))]
    actions = [_action(item, meta.language) for item in _accepted(data.get("action_items"))]
    table = [(labels["task"], labels["owner"], labels["due"]), *actions] if actions else []
    sections = (
        ("summary", "text", text_of(data.get("summary"))),
        ("participants", "list", texts_of(data.get("participants"))),
        ("agenda", "agenda", agenda),
        ("decisions", "list", decisions),
        ("action_items", "table", table),
        ("open_questions", "list", texts_of(data.get("open_questions"))),
    )
    return [(labels[key], kind, body) for key, kind, body in sections if body]


def _meta_line(meta: ExportMeta) -> str:
    return _labels(meta)["meta"].format(
        date=format_date(meta.meeting_date, meta.language),
        template=text_of(meta.template_name),
        owner=text_of(meta.owner),
    )


def _approval_line(meta: ExportMeta) -> str:
    return _labels(meta)["approval"].format(
        approver=text_of(meta.approved_by),
        date=format_date(meta.approved_at.date(), meta.language),
        version=meta.version,
        model=text_of(meta.model_name),
    )


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


# --- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#])")
_MD_BLOCK_START = re.compile(r"^(?=[-+=])|^([0-9]+)(?=[.)])")  # list, setext, ordered list


def _md(line: str, *, block: bool = True) -> str:
    """Return one line of untrusted text escaped so Markdown shows it literally.

    `block` also escapes what would start a list or heading at the beginning of a line or
    list item; a table cell needs only the inline escapes.
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(line.split()))
    if not block:
        return escaped
    return _MD_BLOCK_START.sub(lambda m: (m.group(1) or "") + "\\", escaped)


def _md_block(text: str) -> str:
    return "\n\n".join(
        "  \n".join(_md(line) for line in paragraph.splitlines() if line.strip())
        for paragraph in _paragraphs(text)
    )


def _md_section(kind: str, body: Any, level: int = 2) -> list[str]:
    if kind == "sections":
        lines = []
        for heading, sub_kind, sub_body in body:
            lines.extend([f"{'#' * (level + 1)} {_md(heading, block=False)}", ""])
            lines.extend([*_md_section(sub_kind, sub_body, level + 1), ""])
        return lines[:-1]
    if kind == "text":
        return [_md_block(body)]
    if kind == "list":
        return [f"- {_md(value)}" for value in body]
    if kind == "agenda":
        lines = []
        for title, notes in body:
            lines.extend(
                [f"### {_md(title, block=False)}", "", *([_md_block(notes), ""] if notes else [])]
            )
        return lines[:-1]
    rows = [f"| {' | '.join(_md(cell, block=False) for cell in row)} |" for row in body]
    return [rows[0], "|" + " --- |" * len(body[0]), *rows[1:]]


def render_markdown(document: Document) -> str:
    """Return the document as Markdown in which no content can become a link, image or HTML."""
    out = [_md(document.company, block=False), ""] if document.company else []
    if document.kicker:
        out.extend([f"**{_md(document.kicker, block=False)}**", ""])
    out.extend([f"# {_md(document.title, block=False)}", ""])
    if document.watermark:
        out.extend([f"> **{_md(document.watermark, block=False)}**", ""])
    if document.meta_line:
        out.extend([_md(document.meta_line), ""])
    if document.title_rows:
        rows = [f"- **{_md(label, block=False)}:** {_md(value)}" for label, value in
                document.title_rows]  # fmt: skip
        out.extend([*rows, ""])
    for heading, kind, body in document.sections:
        out.extend([f"## {_md(heading, block=False)}", "", *_md_section(kind, body), ""])
    if document.appendix:
        out.extend(["---", ""])
    for heading, kind, body in document.appendix:
        out.extend([f"## {_md(heading, block=False)}", "", *_md_section(kind, body), ""])
    out.extend(["---", "", _md(document.closing_line), ""])
    return "\n".join(out)


def to_markdown(data: dict, meta: ExportMeta) -> str:
    return render_markdown(protocol_document(data, meta))


# --- DOCX ----------------------------------------------------------------------------------


def _docx_properties(docx_document: Any, document: Document) -> None:
    approved_at = document.approved_at
    if approved_at.tzinfo is not None:  # python-docx writes any datetime with a "Z" suffix
        approved_at = approved_at.astimezone(datetime.UTC).replace(tzinfo=None)
    properties = docx_document.core_properties
    properties.title = document.title
    properties.author = document.author
    properties.subject = document.subject
    properties.last_modified_by = document.approved_by
    properties.created = properties.modified = approved_at
    properties.revision = max(1, document.revision)
    properties.language = document.language
    properties.comments = CREATOR


def _drop_thumbnail(document: Any) -> None:
    """Drop the template's preview image: it shows python-docx's blank page, not ours."""
    relationships = document.part.package.rels
    for key in [k for k, rel in relationships.items() if rel.reltype == RT.THUMBNAIL]:
        del relationships[key]  # saving walks the relationships, so the image is not written


def _docx_section(document: Any, kind: str, body: Any, level: int = 1) -> None:
    if kind == "sections":
        for heading, sub_kind, sub_body in body:
            document.add_heading(heading, level=level + 1)
            _docx_section(document, sub_kind, sub_body, level + 1)
    elif kind == "text":
        for paragraph in _paragraphs(body):
            document.add_paragraph(paragraph)
    elif kind == "list":
        for value in body:
            document.add_paragraph(value, style="List Bullet")
    elif kind == "agenda":
        for title, notes in body:
            document.add_heading(title, level=2)
            _docx_section(document, "text", notes)
    else:
        table = document.add_table(rows=0, cols=len(body[0]))
        table.style = "Table Grid"
        for number, row in enumerate(body):
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.paragraphs[0].add_run(value).bold = number == 0


def _docx_watermark(word: Any, text: str) -> None:
    """A red bold line under the title and in every page's header."""
    from docx.shared import RGBColor

    for paragraph in (word.add_paragraph(), word.sections[0].header.paragraphs[0]):
        run = paragraph.add_run(text)
        run.bold = True
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)


def _docx_company(word: Any, document: Document) -> None:
    from docx.shared import Mm, Pt, RGBColor

    if document.logo:
        word.add_picture(io.BytesIO(document.logo), height=Mm(12))
    if document.company:
        run = word.sections[0].header.add_paragraph().add_run(document.company)
        run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x55, 0x5F, 0x6B)
        if not document.logo:
            word.add_paragraph().add_run(document.company).bold = True


def _docx_title_block(word: Any, document: Document) -> None:
    _docx_company(word, document)
    if document.kicker:
        word.add_paragraph().add_run(document.kicker).bold = True
    word.add_heading(document.title, level=0)
    if document.watermark:
        _docx_watermark(word, document.watermark)
    if document.meta_line:
        word.add_paragraph(document.meta_line)
    if document.title_rows:
        table = word.add_table(rows=0, cols=2)
        for label, value in document.title_rows:
            label_cell, value_cell = table.add_row().cells
            label_cell.paragraphs[0].add_run(label).bold = True
            value_cell.paragraphs[0].add_run(value)
        word.add_paragraph()


def render_docx(document: Document) -> bytes:
    """Return the document as a Word file: headings, paragraphs, tables, no links."""
    word = docx.Document()
    _docx_title_block(word, document)
    for heading, kind, body in document.sections:
        word.add_heading(heading, level=1)
        _docx_section(word, kind, body)
    if document.appendix:
        word.add_page_break()
    for heading, kind, body in document.appendix:
        word.add_heading(heading, level=1)
        _docx_section(word, kind, body)
    word.add_paragraph().add_run(document.closing_line).italic = True
    _docx_properties(word, document)
    _drop_thumbnail(word)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def to_docx(data: dict, meta: ExportMeta) -> bytes:
    return render_docx(protocol_document(data, meta))


# --- PDF -----------------------------------------------------------------------------------

_FONT = "DejaVu"
_PAGES_ALIAS = "{nb}"
_LINE = 5.5  # mm, body line height at 11 pt


class _ProtocolPdf(FPDF):
    """A4 with DejaVu fonts, automatic page breaks and "page n of m" in the footer."""

    def __init__(self, page_label: str, watermark: str = "") -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.page_label = page_label
        self.watermark = watermark
        self.add_font(_FONT, "", FONT_FILES[0])
        self.add_font(_FONT, "B", FONT_FILES[1])
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)

    def header(self) -> None:
        if not self.watermark:
            return
        self.set_y(8)
        self.set_font(_FONT, "B", 8)
        self.set_text_color(176, 0, 32)
        self.multi_cell(0, 4, self.watermark, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.set_y(max(self.get_y() + 2, 20))

    def footer(self) -> None:  # runs at page breaks, while the content's alias is off
        alias, self.str_alias_nb_pages = self.str_alias_nb_pages, _PAGES_ALIAS
        self.set_y(-15)
        self.set_font(_FONT, "", 8)
        self.set_text_color(100)
        self.cell(0, 5, self.page_label.format(page=self.page_no(), pages=_PAGES_ALIAS), align="C")
        self.set_text_color(0)
        self.str_alias_nb_pages = alias

    def text_block(
        self,
        text: str,
        *,
        size: float = 11,
        bold: bool = False,
        grey: bool = False,
        align: str = "J",
    ) -> None:
        self.set_font(_FONT, "B" if bold else "", size)
        self.set_text_color(90 if grey else 0)
        self.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def heading(self, text: str, *, size: float = 13) -> None:
        if self.will_page_break(size * 0.5 + 3 * _LINE):  # keep a heading with its first lines
            self.add_page()
        self.ln(3)
        self.text_block(text, size=size, bold=True)
        self.ln(1.5)

    def section(self, kind: str, body: Any, level: int = 1) -> None:
        if kind == "sections":
            for heading, sub_kind, sub_body in body:
                self.heading(heading, size=max(13 - 2 * level, 10))
                self.section(sub_kind, sub_body, level + 1)
        elif kind == "text":
            for paragraph in _paragraphs(body):
                self.text_block(paragraph)
                self.ln(1.5)
        elif kind == "list":
            for value in body:
                if self.will_page_break(_LINE):
                    self.add_page()
                self.set_font(_FONT, "", 11)
                self.cell(6, _LINE, "•")
                self.multi_cell(0, _LINE, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(1)
        elif kind == "agenda":
            for title, notes in body:
                self.heading(title, size=11)
                self.section("text", notes)
        else:
            self.table_rows(body)

    def table_rows(self, rows: list[tuple[str, ...]]) -> None:
        """A table with a grey header row; columns as wide as their longest value needs."""
        self.set_font(_FONT, "", 10 if len(rows[0]) <= 3 else 9)
        widths = (60, 25, 15) if len(rows[0]) == 3 else self.column_widths(rows)
        heading_style = FontFace(family=_FONT, emphasis="BOLD", fill_color=(235, 235, 235))
        with self.table(
            col_widths=widths, text_align="LEFT", line_height=5, headings_style=heading_style
        ) as table:
            for row in rows:
                table.row(row)
        self.ln(2)

    def column_widths(self, rows: list[tuple[str, ...]]) -> tuple[float, ...]:
        """Widths as a browser lays out a table: every column gets its longest word; the rest
        is shared by how much wider the column's longest value wants to be."""
        size = self.font_size_pt

        def width(text: str, style: str) -> float:
            self.set_font(_FONT, style, size)
            return self.get_string_width(text) + 4  # the cell's margins

        natural, minimal = [], []
        for head, *values in zip(*rows, strict=True):
            cells = [(head, "B")] + [(value, "") for value in values]
            natural.append(max(width(text, style) for text, style in cells))
            minimal.append(
                max(width(word, style) for text, style in cells for word in text.split() or [""])
            )
        self.set_font(_FONT, "", size)
        if sum(natural) <= self.epw:
            return tuple(natural)  # fpdf2 stretches them to the page's width
        spare = max(self.epw - sum(minimal), 0)
        wants = [n - m for n, m in zip(natural, minimal, strict=True)]
        return tuple(m + spare * w / (sum(wants) or 1) for m, w in zip(minimal, wants, strict=True))

    def title_block(self, document: Document) -> None:
        if document.logo:
            self.image(io.BytesIO(document.logo), h=12)
            self.ln(2)
        if document.company:
            self.text_block(document.company, size=10, bold=not document.logo, grey=True)
        if document.kicker:
            self.text_block(document.kicker, size=10, bold=True, grey=True)
        self.text_block(document.title, size=18, bold=True)
        if document.meta_line:
            self.text_block(document.meta_line, size=9, grey=True)
        if document.title_rows:
            self.ln(2)
            self.set_font(_FONT, "", 10)
            with self.table(
                col_widths=(1, 3), text_align="LEFT", line_height=5, borders_layout="NONE",
                first_row_as_headings=False,
            ) as table:  # fmt: skip
                for label, value in document.title_rows:
                    row = table.row()
                    row.cell(label, style=FontFace(family=_FONT, emphasis="BOLD"))
                    row.cell(value)
            self.ln(2)


def render_pdf(document: Document) -> bytes:
    """Return the document as an A4 PDF; it reads the bundled fonts and nothing else."""
    pdf = _ProtocolPdf(document.page_label, document.watermark)
    pdf.set_title(document.title)
    pdf.set_author(document.author)
    pdf.set_subject(document.subject)
    pdf.set_creator(CREATOR)
    pdf.set_lang(document.language)
    pdf.set_creation_date(document.approved_at)  # also seeds the file /ID: same input, same bytes
    pdf.add_page()
    pdf.str_alias_nb_pages = None  # else fpdf2 turns a "{nb}" in the text into the page count
    pdf.title_block(document)
    for heading, kind, body in document.sections:
        pdf.heading(heading)
        pdf.section(kind, body)
    if document.appendix:
        pdf.add_page()
    for heading, kind, body in document.appendix:
        pdf.heading(heading)
        pdf.section(kind, body)
    pdf.ln(6)
    pdf.text_block(document.closing_line, size=9, grey=True, align="L")
    pdf.str_alias_nb_pages = _PAGES_ALIAS  # output() fills in the footers' totals only if set
    return bytes(pdf.output())


def to_pdf(data: dict, meta: ExportMeta) -> bytes:
    return render_pdf(protocol_document(data, meta))


# --- File names ----------------------------------------------------------------------------

_TRANSLITERATION = str.maketrans({
    "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
    "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe",
    "Œ": "Oe", "đ": "d", "Đ": "D",
})  # fmt: skip


def export_filename(meta: ExportMeta, ext: str) -> str:
    """Return an ASCII file name such as `jour-fixe-vertrieb_2026-11-20_v2.pdf`."""
    return file_name(
        meta.title, meta.meeting_date, ext, suffix=f"_v{meta.version}", fallback="protokoll"
    )


def file_name(title: str, day: datetime.date, ext: str, *, suffix: str, fallback: str) -> str:
    """Return `<slug of title>_<day><suffix>.<ext>` in ASCII; `fallback` if nothing is left."""
    folded = unicodedata.normalize("NFKD", title.translate(_TRANSLITERATION))
    ascii_title = folded.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].rstrip("-") or fallback
    extension = re.sub(r"[^a-z0-9]", "", ext.lower())
    return f"{slug}_{day.isoformat()}{suffix}.{extension}"


def _markdown_bytes(data: dict, meta: ExportMeta) -> bytes:
    return to_markdown(data, meta).encode("utf-8")


# Download format → (content type, renderer returning bytes).
FORMATS = {
    "md": ("text/markdown; charset=utf-8", _markdown_bytes),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx),
    "pdf": ("application/pdf", to_pdf),
}
