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


def event_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    from django.db.models import Prefetch

    from rollout.models import Event, Registration

    mine = Registration.objects.filter(user=request.user).exclude(
        status=Registration.Status.CANCELLED
    )
    upcoming = list(
        Event.objects.filter(starts_at__gte=timezone.now()).prefetch_related(
            Prefetch("registrations", queryset=mine, to_attr="mine")
        )[:4]
    )
    return [HomeCard("rollout/cards/_events.html", {"events": upcoming}, order=20)]
