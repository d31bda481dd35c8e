"""The base's own cards on the home page."""

from __future__ import annotations

from django.conf import settings

from portal import selectors
from portal.http import AuthenticatedHttpRequest
from portal.inbox import inbox_items
from portal.registry import HomeCard
from portal.roles import OVERSIGHT, ROLE_DESCRIPTIONS, Role


def portal_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    user = request.user
    roles = [(role.label, ROLE_DESCRIPTIONS[role]) for role in Role if user.has_role(role)]
    cards = [HomeCard("portal/cards/_roles.html", {"my_roles": roles}, order=90)]
    waiting = inbox_items(user)
    if waiting:  # first on the page: what waits for this person
        cards.append(
            HomeCard(
                "portal/cards/_inbox.html",
                {"inbox_top": waiting[:5], "inbox_total": len(waiting)},
                order=1,
            )
        )
    if user.has_role(Role.PROGRAMME_ADMIN):
        counts = selectors.role_counts()
        cards.append(
            HomeCard(
                "portal/cards/_people.html",
                {
                    "role_counts": [(role.label, counts.get(role.value, 0)) for role in Role],
                    "open_invitations": selectors.open_invitations_count(),
                },
                order=70,
            )
        )
    if user.has_role(*OVERSIGHT):
        cards.append(
            HomeCard(
                "portal/cards/_oversight.html",
                {
                    "audit_count": selectors.recent_audit_count(),
                    "retention_days": settings.TRANSCRIPT_RETENTION_DAYS,
                    "min_group": settings.SURVEY_MIN_GROUP_SIZE,
                },
                order=75,
            )
        )
    return cards
