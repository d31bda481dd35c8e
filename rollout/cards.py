"""The programme's card on the home page: where the rollout stands."""

from __future__ import annotations

from django.utils import timezone

from portal.http import AuthenticatedHttpRequest
from portal.registry import HomeCard
from rollout import selectors


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
