"""Validate what the model wrote into a status report (its own document, not a protocol).

A status report states the programme's facts for the steering committee: a summary, a few
sections (phases, use cases, participation …), risks and next steps. The model writes it
from the portal's own facts only, so every figure in it should appear in those facts: figures
that do not are listed in the report's notes for the person who approves it.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from django.utils.translation import gettext, ngettext
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from assistants.kinds import ResultInvalid
from assistants.schema import Cleaner, json_array, json_object, json_string

REPORT_SCHEMA_VERSION = 1

_LIMITS: dict[str, tuple[int, int]] = {  # name: (storage, generation), see schema.py
    "summary": (2000, 900), "sections": (12, 6), "title": (150, 100), "text": (3000, 700),
    "risks": (12, 6), "risk": (400, 250), "next_steps": (12, 6), "next_step": (400, 250),
}  # fmt: skip
LIMITS = {name: storage for name, (storage, _) in _LIMITS.items()}
GENERATION_LIMITS = {name: generation for name, (_, generation) in _LIMITS.items()}

Risk = Annotated[str, StringConstraints(max_length=LIMITS["risk"])]
NextStep = Annotated[str, StringConstraints(max_length=LIMITS["next_step"])]


class ReportInvalid(ResultInvalid):
    """The model's output is not a usable status report."""


class ReportSection(BaseModel):
    title: str = Field(max_length=LIMITS["title"])
    text: str = Field(default="", max_length=LIMITS["text"])


class ReportDraft(BaseModel):
    """A status report, cleaned and validated: stored as `StatusReport.data`."""

    summary: str = Field(max_length=LIMITS["summary"])
    sections: list[ReportSection] = Field(default=[], max_length=LIMITS["sections"])
    risks: list[Risk] = Field(default=[], max_length=LIMITS["risks"])
    next_steps: list[NextStep] = Field(default=[], max_length=LIMITS["next_steps"])
    notes: list[str] = []  # set by the server: what the approver should check


def generation_schema() -> dict[str, Any]:
    """The JSON schema of llama.cpp's grammar: every string and list bounded."""

    def string(limit: str, min_length: int = 0) -> dict[str, Any]:
        return json_string(GENERATION_LIMITS[limit], min_length=min_length)

    def array(items: dict[str, Any], limit: str) -> dict[str, Any]:
        return json_array(items, GENERATION_LIMITS[limit])

    return json_object(
        summary=string("summary", 1),
        sections=array(json_object(title=string("title", 1), text=string("text")), "sections"),
        risks=array(string("risk", 1), "risks"),
        next_steps=array(string("next_step", 1), "next_steps"),
    )


def clean_document(data: dict, cleaner: Cleaner | None = None) -> dict[str, Any]:
    """Return the document's values cleaned of control characters, spacing tidied."""
    cleaner = cleaner or Cleaner(LIMITS)

    def section(item: object) -> dict | None:
        if not isinstance(item, dict):
            return None
        title = cleaner.text(item.get("title"), "title")
        text = cleaner.text(item.get("text"), "text", multiline=True)
        return {"title": title, "text": text} if title else None

    return {
        "summary": cleaner.text(data["summary"], "summary", multiline=True),
        "sections": cleaner.items(data, "sections", section),
        "risks": cleaner.items(data, "risks", lambda v: cleaner.text(v, "risk")),
        "next_steps": cleaner.items(data, "next_steps", lambda v: cleaner.text(v, "next_step")),
    }


def report_validate(data: dict, *, notes: list[str]) -> ReportDraft:
    """Return `data` (already cleaned) as a ReportDraft; ReportInvalid says where it breaks."""
    try:
        return ReportDraft(**data, notes=notes)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ReportInvalid(f"{where}: {first['msg']}") from error


def parse_report(raw: str, *, facts: str) -> ReportDraft:
    """Return the report in the model's raw JSON output, cleaned, validated and checked
    against the facts it was written from."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ReportInvalid(gettext("The model's answer is not JSON.")) from error
    if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
        raise ReportInvalid(gettext("The model's answer has no summary."))
    cleaner = Cleaner(LIMITS)
    try:
        cleaned = clean_document(data, cleaner)
    except ResultInvalid as error:
        raise ReportInvalid(str(error)) from error
    if not cleaned["summary"]:
        raise ReportInvalid(gettext("The model's answer has no summary."))
    report = report_validate(cleaned, notes=cleaner.notes())
    _name_unsupported_figures(report, facts)
    return report


def join_parts(parts: list[ReportDraft], *, summary: str) -> ReportDraft:
    """One report from the reports of consecutive parts of the facts: topics in order, risks,
    next steps and the parts' notes once each, within the limits."""
    cleaner = Cleaner(LIMITS)
    sections = [section.model_dump() for part in parts for section in part.sections]
    risks = list(dict.fromkeys(risk for part in parts for risk in part.risks))
    steps = list(dict.fromkeys(step for part in parts for step in part.next_steps))
    joined = {
        "summary": cleaner.text(summary, "summary", multiline=True) or parts[0].summary,
        "sections": cleaner.cap(sections, "sections"),
        "risks": cleaner.cap(risks, "risks"),
        "next_steps": cleaner.cap(steps, "next_steps"),
    }
    notes = list(dict.fromkeys(note for part in parts for note in part.notes))
    return report_validate(joined, notes=notes + cleaner.notes())


def _name_unsupported_figures(report: ReportDraft, facts: str) -> None:
    if unsupported := figures_not_in(report_text(report.model_dump()), facts):
        report.notes.append(
            ngettext(
                "This figure is not in the facts the report was written from: %(figures)s. "
                "Check it before you approve the report.",
                "These figures are not in the facts the report was written from: "
                "%(figures)s. Check them before you approve the report.",
                len(unsupported),
            )
            % {"figures": ", ".join(unsupported)}
        )


def report_text(data: dict) -> str:
    """All the report's prose in one text (for the figure check and for search)."""
    parts = [data.get("summary", "")]
    for section in data.get("sections", []):
        parts.extend([section.get("title", ""), section.get("text", "")])
    parts.extend(data.get("risks", []))
    parts.extend(data.get("next_steps", []))
    return "\n".join(part for part in parts if isinstance(part, str))


# A figure: digits with optional thousands separators and decimals ("1.250", "3,5", "42").
_FIGURE = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[.\u202f ]\d{3})+(?:,\d+)?(?!\w)"  # 1.250 or 12 500,5
    r"|(?<![\w.,])\d+(?:[.,]\d+)?(?!\w)"  # 42, 3,5, 0.75
)


def _figure_key(figure: str) -> str:
    """Compare figures regardless of thousands separators and decimal comma or point."""
    return re.sub(r"[.\u202f ](?=\d{3}(?!\d))", "", figure).replace(",", ".")


def figures_not_in(text: str, facts: str) -> list[str]:
    """The figures in `text` that `facts` never states, in order of appearance, once each."""
    known = {_figure_key(figure) for figure in _FIGURE.findall(facts)}
    # Dates in the facts ("Stand: 06.12.2026") also make their parts known figures.
    known |= {part.lstrip("0") or "0" for part in re.findall(r"\d+", facts)}
    missing: list[str] = []
    for figure in _FIGURE.findall(text):
        key = _figure_key(figure)
        if key not in known and key.lstrip("0") not in known and figure not in missing:
            missing.append(figure)
    return missing
