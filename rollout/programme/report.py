"""The programme's facts for the steering-committee report (registered in ready()).

The report's input is German text (the model writes from it); figures come from the
same overview as the dashboard, so report and dashboard never disagree.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.formats import date_format

from rollout.programme import selectors


def _date(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def programme_facts() -> list[tuple[str, list[str]]]:
    programme = selectors.current_programme()
    if programme is None:
        return []
    with translation.override("de"):
        overview = selectors.programme_overview(programme)
        return [
            ("Phasen", _phase_lines(overview)),
            ("Kennzahlen", _kpi_lines(overview)),
            ("Meilensteine", _milestone_lines(overview)),
        ]


def _phase_lines(overview: selectors.Overview) -> list[str]:
    programme, today = overview.programme, overview.today
    lines = [f"Programm: {programme.name} ({programme.organisation})"]
    current = overview.current
    if current is not None:
        lines.append(f"Aktuelle Phase: {current.number}. {current.title}")
    for row in overview.rows:
        phase = row.phase
        overdue = " – überfällig" if row.overdue else ""
        lines.append(
            f"Phase {phase.number} {phase.title}: {phase.get_status_display()}, geplant "
            f"{_date(phase.planned_start)}–{_date(phase.planned_end)}, "
            f"{phase.progress_percent(today)} % der Zeit vergangen{overdue}, "
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
    lines += [f"Erreicht: {m.title} ({_date(m.done_on)})" for m in overview.done_milestones[:5]]
    return lines or ["Keine Meilensteine festgelegt."]
