"""The programme's facts for the steering-committee report (registered in ready())."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from rollout import selectors


def programme_facts() -> list[tuple[str, list[str]]]:
    programme = selectors.current_programme()
    if programme is None:
        return []
    today = timezone.localdate()
    phases = list(selectors.programme_phases(programme))
    current = selectors.current_phase(phases)
    lines = [f"Programm: {programme.name} ({programme.organisation})"]
    if current is not None:
        lines.append(f"Aktuelle Phase: {current.number}. {current.title}")
    for phase in phases:
        overdue = " – überfällig" if phase.is_overdue(today) else ""
        lines.append(
            f"Phase {phase.number} {phase.title}: {phase.get_status_display()}, geplant "
            f"{date_format(phase.planned_start, 'SHORT_DATE_FORMAT')}–"
            f"{date_format(phase.planned_end, 'SHORT_DATE_FORMAT')}, "
            f"{phase.progress_percent(today)} % der Zeit vergangen{overdue}"
            + (f", verantwortlich: {phase.owner}" if phase.owner else "")
        )
    return [("Phasen", lines)]
