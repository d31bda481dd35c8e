"""Export an approved status report in its own layout, in the formats of assistants/exports.py.

Not a protocol's layout: a title block (status report, title, as-of date, programme,
approval), the figures at a glance (phases, KPIs), the text (summary, topics, risks, next
steps), and the facts it rests on as an appendix of headed lists; the approval closes it.
Labels are in the report's language; every value is untrusted text, cleaned.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from assistants import exports, fact_blocks
from assistants.models import StatusReport


def _language(report: StatusReport) -> str:
    languages = dict(settings.LANGUAGES)
    return report.output_language if report.output_language in languages else "de"


def report_document(report: StatusReport) -> exports.Document:
    """The approved report as a `Document`; every value is untrusted text, cleaned."""
    language = _language(report)
    with translation.override(language):
        return _document(report, language)


def _document(report: StatusReport, language: str) -> exports.Document:
    data, text = report.data, exports.text_of
    facts = fact_blocks.read(report.fact_blocks)
    approved_at = timezone.localtime(report.approved_at)
    approver = text(str(report.approved_by or "")) or exports.EMPTY
    approved_on = exports.format_date(approved_at.date(), language)
    title_rows = [(_("As of"), exports.format_date(report.report_date, language))]
    title_rows += facts.labelled_key_facts
    title_rows += [
        (_("Status"), capfirst(report.get_status_display())),
        (_("Approved by"), _("%(who)s on %(when)s") % {"who": approver, "when": approved_on}),
        (_("Requested by"), text(str(report.owner))),
    ]
    sections: list[exports.Section] = []
    if facts.tables:
        tables = [(b.heading, "table", [b.table.columns, *(r.cells for r in b.table.rows)])
                  for b in facts.tables]  # fmt: skip
        sections.append((_("At a glance"), "sections", tables))
    sections.append((_("Summary"), "text", text(data.get("summary"))))
    for section in exports.dicts_of(data.get("sections")):
        sections.append((text(section.get("title")), "text", text(section.get("text"))))
    sections += [
        (_("Risks and open points"), "list", exports.texts_of(data.get("risks"))),
        (_("Next steps"), "list", exports.texts_of(data.get("next_steps"))),
    ]
    labels = exports.LABELS.get(language, exports.LABELS["de"])
    return exports.Document(
        title=text(report.title),
        kicker=_("Status report for the steering committee"),
        meta_line="",
        title_rows=[(label, value) for label, value in title_rows if value],
        sections=[(heading, kind, body) for heading, kind, body in sections if heading and body],
        appendix=_appendix(report, facts),
        closing_line=_(
            "Approved by %(approver)s on %(date)s · drafted by the local AI model %(model)s, "
            "checked by people"
        )
        % {"approver": approver, "date": approved_on, "model": text(report.model_name)},
        language=language,
        author=text(str(report.owner)),
        subject=_("Status report"),
        approved_by=approver,
        approved_at=approved_at,
        revision=1,
        page_label=labels["page"],
        watermark=labels["demo"] if report.from_demo_model else "",
        **exports.company_branding(),
    )


def _appendix(report: StatusReport, facts: fact_blocks.Facts) -> list[exports.Section]:
    """The facts the report rests on: headed lists, or the text of a report kept only so."""
    heading = _("Appendix – facts it rests on (from the portal)")
    lists = [(block.heading, "list", block.lines) for block in facts.blocks if block.lines]
    if lists:
        return [(heading, "sections", lists)]
    kept = exports.text_of(report.facts)
    return [(heading, "text", kept)] if kept else []


# Download format → (content type, renderer of a Document).
FORMATS = {
    "md": ("text/markdown; charset=utf-8", lambda d: exports.render_markdown(d).encode("utf-8")),
    "docx": (exports.FORMATS["docx"][0], exports.render_docx),
    "pdf": ("application/pdf", exports.render_pdf),
}


def report_filename(report: StatusReport, ext: str) -> str:
    return exports.file_name(report.title, report.report_date, ext, suffix="", fallback="bericht")
