"""The programme's facts for the steering-committee report (registered in ready()).

The report's input is German text (the model writes from it); figures come from the
same overview as the dashboard, so report and dashboard never disagree. Phases and KPIs
also come as tables (`FactLines`): the report shows them at a glance.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.report import FactLines, FigureTable, figure_table
from rollout.models import Phase
from rollout.programme import kpis, selectors

# How a KPI stands, as the colour of its row in the report's figures.
_KPI_TONES = {kpis.Status.REACHED: "good", kpis.Status.ON_TRACK: "good", kpis.Status.BEHIND: "bad"}


def _date(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def programme_facts() -> list[tuple[str, list[str]]]:
    programme = selectors.current_programme()
    if programme is None:
        return []
    with translation.override("de"):
        overview = selectors.programme_overview(programme)
        key_facts = {"programme": programme.name, "organisation": programme.organisation}
        if overview.current is not None:
            current = overview.current
            key_facts["current_phase"] = f"{current.number}. {current.title}"
        return [
            (
                "Phasen",
                FactLines(
                    _phase_lines(overview),
                    table=_phase_table(overview),
                    key_facts=key_facts,
                ),
            ),
            ("Kennzahlen", FactLines(_kpi_lines(overview), table=_kpi_table(overview))),
            ("Meilensteine", _milestone_lines(overview)),
        ]


def _phase_lines(overview: selectors.Overview) -> list[str]:
    programme = overview.programme
    lines = [f"Programm: {programme.name} ({programme.organisation})"]
    current = overview.current
    if current is not None:
        lines.append(f"Aktuelle Phase: {current.number}. {current.title}")
    for row in overview.rows:
        phase = row.phase
        overdue = " – überfällig" if row.overdue else ""
        lines.append(
            f"Phase {phase.number} {phase.title}: {row.status_label}, geplant "
            f"{_date(phase.planned_start)}–{_date(phase.planned_end)}, "
            f"{row.time_percent} % der Zeit vergangen{overdue}, "
            f"Meilensteine {row.milestones_done} von {len(row.milestones)} erledigt"
            + (f", verantwortlich: {phase.owner}" if phase.owner else "")
        )
    return lines


def _kpi_lines(overview: selectors.Overview) -> list[str]:
    lines = []
    for result in overview.kpi_results:
        kpi = result.kpi
        if result.actual is None:
            figure = result.note
        else:
            figure = (
                f"Ist {result.actual_display}, Ziel {result.target_display} "
                f"({result.progress} % des Ziels, {result.status_label})"
            )
            if result.sentence:
                figure += f" – {result.sentence}"
        lines.append(f"{kpi.name} (Phase {kpi.phase.number}): {figure}")
    return lines or ["Keine Kennzahlen festgelegt."]


def _milestone_lines(overview: selectors.Overview) -> list[str]:
    lines = [
        f"Überfällig: {m.title} (fällig {_date(m.due_on)})" for m in overview.overdue_milestones
    ]
    lines += [
        f"Demnächst fällig: {m.title} ({_date(m.due_on)})" for m in overview.upcoming_milestones
    ]
    lines += [
        f"Erreicht: {m.title} ({_date(m.reached_on)}"
        + (f", gemessen: {m.tied_kpi.name} ab {m.threshold_display})" if m.automatic else ")")
        for m in overview.done_milestones[:5]
    ]
    return lines or ["Keine Meilensteine festgelegt."]


def _phase_table(overview: selectors.Overview) -> FigureTable:
    """The phases as rows of the report's figures (the same values as their lines)."""
    rows = []
    for row in overview.rows:
        phase = row.phase
        status = row.status_label + (f", {_('overdue')}" if row.overdue else "")
        tone = "bad" if row.overdue else "good" if row.status == Phase.Status.DONE else ""
        done = _("%(done)s of %(total)s") % {
            "done": row.milestones_done,
            "total": len(row.milestones),
        }
        cells = (
            f"{phase.number}. {phase.title}",
            status,
            f"{_date(phase.planned_start)}–{_date(phase.planned_end)}",
            f"{row.time_percent} %",
            done,
        )
        rows.append((cells, tone))
    columns = (_("Phase"), _("Status"), _("Period"), _("Time passed"), _("Milestones"))
    return figure_table(columns, rows)


def _kpi_table(overview: selectors.Overview) -> FigureTable:
    """The KPIs as rows of the report's figures: actual against target, and how it stands."""
    rows = []
    for result in overview.kpi_results:
        kpi = result.kpi
        actual = "–" if result.actual is None else result.actual_display
        standing = result.status_label
        if result.progress is not None:
            standing += f" ({result.progress} %)"
        cells = (kpi.name, str(kpi.phase.number), actual, result.target_display, standing)
        rows.append((cells, _KPI_TONES.get(result.status, "")))
    return figure_table((_("KPI"), _("Phase"), _("Actual"), _("Target"), _("Status")), rows)
