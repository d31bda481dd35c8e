"""The facts a status report rests on, kept as headed lists with their figures tables.

Gathered once, when a report is requested, from `portal.registry.report_fact_providers`:
the text (`as_text`) is what the model reads; the blocks, JSON of the shape
`[{"heading", "lines", "table": {"columns", "rows": [{"cells", "tone"}]}, "key_facts"}]`
(table and key facts optional, see `portal.report.FactLines`), are stored with the report so
that its page and exports show headings, lists and tables instead of one wall of text.

Stored blocks are read back (`read`) as untrusted data: a report may be older than this
shape, or its JSON broken. Every value is cleaned of control characters and bounded; what
does not fit the shape is left out, never shown raw.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assistants.rendering import plain
from portal import registry
from portal.report import TONES

LIMITS = {"blocks": 40, "heading": 120, "lines": 200, "line": 600, "columns": 8, "rows": 60,
          "cell": 200, "key_fact": 200}  # fmt: skip
# The title block's labels of the key facts, in the order shown.
KEY_FACT_LABELS = {
    "programme": _("Programme"),
    "organisation": _("Organisation"),
    "current_phase": _("Current phase"),
}


@dataclass(frozen=True)
class Row:
    cells: list[str]
    tone: str = ""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class Block:
    heading: str
    lines: list[str]
    table: Table | None = None


@dataclass(frozen=True)
class Facts:
    """A report's facts as read back: blocks, and key facts by `KEY_FACT_LABELS` key."""

    blocks: list[Block] = field(default_factory=list)
    key_facts: dict[str, str] = field(default_factory=dict)

    @property
    def tables(self) -> list[Block]:
        """The blocks with figures, for "at a glance"."""
        return [block for block in self.blocks if block.table is not None]

    @property
    def labelled_key_facts(self) -> list[tuple[str, str]]:
        return [(str(label), self.key_facts[key]) for key, label in KEY_FACT_LABELS.items()
                if key in self.key_facts]  # fmt: skip


# --- Gathering -------------------------------------------------------------------------------


def gather() -> list[dict]:
    """Return every provider's facts now, as the JSON blocks stored with a report.

    Values are made plain text (PostgreSQL's JSON cannot even hold a NUL character)."""
    blocks = []
    for provider in registry.report_fact_providers:
        for heading, lines in provider():
            block: dict = {"heading": plain(str(heading)), "lines": [plain(str(v)) for v in lines]}
            table = getattr(lines, "table", None)
            if table is not None and table.rows:
                block["table"] = {
                    "columns": [plain(column) for column in table.columns],
                    "rows": [
                        {"cells": [plain(cell) for cell in row.cells], "tone": row.tone}
                        for row in table.rows
                    ],
                }
            if getattr(lines, "key_facts", None):
                block["key_facts"] = {k: plain(str(v)) for k, v in lines.key_facts.items()}
            blocks.append(block)
    return blocks


def as_text(blocks: list[dict], today: datetime.date) -> str:
    """Return the blocks as the text the model reads: the report's only source."""
    sections = [f"Stand: {date_format(today, 'SHORT_DATE_FORMAT')}"]
    for block in blocks:
        lines = "\n".join(f"- {line}" for line in block["lines"])
        sections.append(f"{block['heading']}:\n{lines}")
    return "\n\n".join(sections)


# --- Reading back ----------------------------------------------------------------------------


def _text(value: object, limit: str) -> str:
    """One line of untrusted text: invisible characters dropped, spacing tidied, bounded."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = " ".join(plain(str(value)).split())
    size = LIMITS[limit]
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _list(value: object, limit: str) -> list:
    return value[: LIMITS[limit]] if isinstance(value, list) else []


def _table(value: object) -> Table | None:
    if not isinstance(value, dict):
        return None
    columns = [_text(c, "cell") for c in _list(value.get("columns"), "columns")]
    if not any(columns):
        return None
    rows = []
    for row in _list(value.get("rows"), "rows"):
        if not isinstance(row, dict):
            continue
        cells = [_text(c, "cell") for c in _list(row.get("cells"), "columns")]
        if not any(cells):
            continue
        cells = (cells + [""] * len(columns))[: len(columns)]  # every row as wide as the head
        tone = row.get("tone") if row.get("tone") in TONES else ""
        rows.append(Row(cells, tone))
    return Table(columns, rows) if rows else None


def read(value: object) -> Facts:
    """Return stored blocks cleaned and bounded; empty for a report kept only as text."""
    blocks, key_facts = [], {}
    for item in _list(value, "blocks"):
        if not isinstance(item, dict):
            continue
        heading = _text(item.get("heading"), "heading")
        lines = [line for line in (_text(v, "line") for v in _list(item.get("lines"), "lines"))
                 if line]  # fmt: skip
        table = _table(item.get("table"))
        if heading and (lines or table):
            blocks.append(Block(heading, lines, table))
        if isinstance(item.get("key_facts"), dict):
            for key, fact in item["key_facts"].items():
                if key in KEY_FACT_LABELS and key not in key_facts and _text(fact, "key_fact"):
                    key_facts[key] = _text(fact, "key_fact")
    return Facts(blocks, key_facts)
