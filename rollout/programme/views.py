"""The transparent roadmap: every employee sees phases, milestones, what is next and achieved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role
from rollout.models import Milestone, Phase
from rollout.programme import selectors

NEXT_MILESTONES = 5
NEXT_EVENTS = 3


@dataclass
class TimelinePhase:
    """A phase on the timeline: its milestones by date, `None` where today falls."""

    row: selectors.PhaseRow
    entries: list[Milestone | None]

    @property
    def now(self) -> bool:
        return None in self.entries


def _is_now(row: selectors.PhaseRow, today: date) -> bool:
    """Today lies in a phase that runs, or that is planned but should have begun."""
    if row.status == Phase.Status.ACTIVE:
        return True
    return row.status == Phase.Status.PLANNED and row.phase.planned_start <= today


def _behind_us(milestone: Milestone) -> bool:
    return milestone.reached_on is not None or milestone.overdue


def _when(milestone: Milestone) -> tuple:
    return (milestone.reached_on or milestone.due_on, not _behind_us(milestone), milestone.pk)


def timeline(overview: selectors.Overview) -> list[TimelinePhase]:
    """Order each phase's milestones by the day that counts (reached, else due) and mark
    today in the phases it falls in: reached and overdue ones before it, the rest after."""
    today = overview.today
    phases = []
    for row in overview.rows:
        entries: list[Milestone | None] = sorted(row.milestones, key=_when)
        if _is_now(row, today):
            past = sum(1 for m in row.milestones if _behind_us(m))
            entries.insert(past, None)
        phases.append(TimelinePhase(row, entries))
    return phases


@login_required
def roadmap(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the programme's phases as a timeline, with milestones and KPIs (fixed queries)."""
    programme = selectors.current_programme()
    context: dict = {
        "programme": programme,
        "can_manage": request.user.has_role(Role.PROGRAMME_ADMIN),
    }
    if programme is not None:
        overview = selectors.programme_overview(programme)
        context |= {
            "overview": overview,
            "today": overview.today,
            "timeline": timeline(overview),
            "next_milestones": overview.open_milestones[:NEXT_MILESTONES],
            "next_events": selectors.next_events(NEXT_EVENTS),
            "achieved_milestones": overview.done_milestones,
            "achieved_kpis": [r for r in overview.kpi_results if r.sentence and r.actual],
        }
    return render(request, "rollout/roadmap.html", context)
