"""Ethics reviews without an outcome wait for the programme admins who record it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.registry import InboxItem
from portal.roles import Role
from rollout.people.models_governance import EthicsReview

LIMIT = 100


def ethics_inbox(user: User) -> list[InboxItem]:
    if not user.has_role(Role.PROGRAMME_ADMIN):
        return []
    waiting = (
        EthicsReview.objects.filter(outcome=EthicsReview.Outcome.PENDING)
        .only("pk", "subject", "created_at")
        .order_by("created_at", "pk")[:LIMIT]
    )
    return [
        InboxItem(
            kind=_("Ethics reviews without an outcome"),
            title=review.subject,
            url=reverse("rollout:ethics-detail", args=[review.pk]),
            since=review.created_at,
        )
        for review in waiting
    ]
