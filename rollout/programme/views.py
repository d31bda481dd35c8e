"""The transparent roadmap: every employee sees phases, milestones, what is next and achieved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role
from rollout.programme import selectors

NEXT_MILESTONES = 5
NEXT_EVENTS = 3


@login_required
def roadmap(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the programme's phases with milestones and KPIs in plain words (fixed queries)."""
    programme = selectors.current_programme()
    context: dict = {
        "programme": programme,
        "can_manage": request.user.has_role(Role.PROGRAMME_ADMIN),
    }
    if programme is not None:
        overview = selectors.programme_overview(programme)
        context |= {
            "overview": overview,
            "next_milestones": overview.open_milestones[:NEXT_MILESTONES],
            "next_events": selectors.next_events(NEXT_EVENTS),
            "achieved_milestones": overview.done_milestones,
            "achieved_kpis": [r for r in overview.kpi_results if r.sentence and r.actual],
        }
    return render(request, "rollout/roadmap.html", context)
