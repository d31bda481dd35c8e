"""Facts for the steering-committee report: the base's own (who takes part, in which role),
and the shape in which any app may hand in its figures as a table.

A provider in `portal.registry.report_fact_providers` returns (heading, lines). The lines are
what the model reads; a `FactLines` is such a list that also carries the block's figures as
a table (and key facts such as the programme's name), so the report can show them at a
glance without parsing text. A plain list stays just as valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from portal import selectors
from portal.roles import Role

# How a row of figures stands, for its colour on the page; "" is neutral.
TONES = ("good", "warn", "bad", "")
# Key facts the report's title block shows (with its own, translated labels).
KEY_FACTS = ("programme", "organisation", "current_phase")


@dataclass(frozen=True)
class FigureRow:
    cells: tuple[str, ...]
    tone: str = ""


@dataclass(frozen=True)
class FigureTable:
    """Figures as a table: column headings (German, like the lines) and rows."""

    columns: tuple[str, ...]
    rows: tuple[FigureRow, ...]


class FactLines(list):
    """Lines of facts, with the block's figures as a table and its key facts (both optional)."""

    def __init__(
        self,
        lines: Iterable[str],
        *,
        table: FigureTable | None = None,
        key_facts: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(lines)
        self.table = table
        self.key_facts = dict(key_facts or {})


def figure_table(columns: Sequence[str], rows: Iterable[tuple[Sequence[str], str]]) -> FigureTable:
    """Return a table of `rows` given as (cells, tone); every value made a str."""
    return FigureTable(
        tuple(str(c) for c in columns),
        tuple(FigureRow(tuple(str(c) for c in cells), tone) for cells, tone in rows),
    )


def people_facts() -> list[tuple[str, list[str]]]:
    counts = selectors.role_counts()
    return [("Beteiligung", [f"{role.label}: {counts.get(role.value, 0)}" for role in Role])]
