"""Pages of the rollout programme."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.http import AuthenticatedHttpRequest
from rollout import selectors


@login_required
def roadmap(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show every employee the phases of the programme: the transparent roadmap."""
    programme = selectors.current_programme()
    phases = list(selectors.programme_phases(programme)) if programme else []
    today = timezone.localdate()
    rows = [(phase, phase.progress_percent(today), phase.is_overdue(today)) for phase in phases]
    return render(
        request,
        "rollout/roadmap.html",
        {
            "programme": programme,
            "rows": rows,
            "current": selectors.current_phase(phases),
        },
    )
