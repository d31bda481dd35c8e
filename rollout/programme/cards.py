"""The programme's cards on the home page: where the rollout stands, and for programme
admins what needs attention."""

from __future__ import annotations

from django.utils import timezone

from portal.http import AuthenticatedHttpRequest
from portal.registry import HomeCard
from portal.roles import Role
from rollout.programme import selectors


def phase_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    programme = selectors.current_programme()
    if programme is None:
        return []
    phases = list(selectors.programme_phases(programme))
    today = timezone.localdate()
    return [
        HomeCard(
            "rollout/cards/_phase.html",
            {
                "programme": programme,
                "phases": phases,
                "current": selectors.current_phase(phases),
                "today": today,
            },
            order=10,
        )
    ]


def programme_status_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    """For programme admins: overdue milestones, milestones due soon and KPIs behind."""
    if not request.user.has_role(Role.PROGRAMME_ADMIN):
        return []
    programme = selectors.current_programme()
    if programme is None:
        return []
    overview = selectors.programme_overview(programme)
    return [
        HomeCard(
            "rollout/cards/_programme_status.html",
            {
                "overdue": len(overview.overdue_milestones),
                "upcoming": len(overview.upcoming_milestones),
                "behind": [r.kpi.name for r in overview.kpis_behind],
                "upcoming_days": selectors.UPCOMING_DAYS,
            },
            order=15,
        )
    ]
