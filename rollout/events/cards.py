"""The events' card on the home page: the next events, with the person's registration."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from portal.http import AuthenticatedHttpRequest
from portal.registry import HomeCard


def event_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
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
