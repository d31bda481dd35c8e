"""Export an approved status report: its own layout (summary, topics, risks, next steps,
and the facts it was written from), in the formats of assistants/exports.py."""

from __future__ import annotations

from django.utils import timezone

from assistants import exports
from assistants.models import StatusReport

REPORT_LABELS = {
    "de": {
        "meta": "Stand: {date} · Statusbericht für den Lenkungskreis · angefordert von {owner}",
        "summary": "Zusammenfassung", "risks": "Risiken und offene Punkte",
        "next_steps": "Nächste Schritte", "facts": "Datengrundlage (aus dem Portal)",
        "approval": "Freigegeben von {approver} am {date} · Entwurf des lokalen KI-Modells "
        "{model}, von Menschen geprüft",
        "subject": "Statusbericht",
    },
    "en": {
        "meta": "As of {date} · Status report for the steering committee · requested by {owner}",
        "summary": "Summary", "risks": "Risks and open points", "next_steps": "Next steps",
        "facts": "Facts it rests on (from the portal)",
        "approval": "Approved by {approver} on {date} · drafted by the local AI model "
        "{model}, checked by people",
        "subject": "Status report",
    },
}  # fmt: skip


def report_document(report: StatusReport) -> exports.Document:
    """The approved report as a `Document`; every value is untrusted text, cleaned."""
    language = report.output_language if report.output_language in REPORT_LABELS else "de"
    labels = REPORT_LABELS[language]
    data, text = report.data, exports.text_of
    sections: list[exports.Section] = [(labels["summary"], "text", text(data.get("summary")))]
    for section in exports.dicts_of(data.get("sections")):
        sections.append((text(section.get("title")), "text", text(section.get("text"))))
    sections += [
        (labels["risks"], "list", exports.texts_of(data.get("risks"))),
        (labels["next_steps"], "list", exports.texts_of(data.get("next_steps"))),
        (labels["facts"], "text", text(report.facts)),
    ]
    approved_at = timezone.localtime(report.approved_at)
    return exports.Document(
        title=text(report.title),
        meta_line=labels["meta"].format(
            date=exports.format_date(report.report_date, language), owner=text(str(report.owner))
        ),
        sections=[(heading, kind, body) for heading, kind, body in sections if heading and body],
        closing_line=labels["approval"].format(
            approver=text(str(report.approved_by or "—")),
            date=exports.format_date(approved_at.date(), language),
            model=text(report.model_name),
        ),
        language=language,
        author=text(str(report.owner)),
        subject=labels["subject"],
        approved_by=text(str(report.approved_by or "—")),
        approved_at=approved_at,
        revision=1,
        page_label=exports.LABELS[language]["page"],
        watermark=exports.LABELS[language]["demo"] if report.from_demo_model else "",
    )


# Download format → (content type, renderer of a Document).
FORMATS = {
    "md": ("text/markdown; charset=utf-8", lambda d: exports.render_markdown(d).encode("utf-8")),
    "docx": (exports.FORMATS["docx"][0], exports.render_docx),
    "pdf": ("application/pdf", exports.render_pdf),
}


def report_filename(report: StatusReport, ext: str) -> str:
    return exports.file_name(report.title, report.report_date, ext, suffix="", fallback="bericht")
