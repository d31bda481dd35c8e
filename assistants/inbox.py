"""What waits in the review inbox from the assistants: protocols to review, and protocols
returned to their owner with a reviewer's comment."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assistants.models import Protocol
from portal.models import User
from portal.registry import InboxItem
from portal.roles import Role

LIMIT = 100  # per kind: an inbox is a to-do list, not an archive


def protocol_inbox(user: User) -> list[InboxItem]:
    items = []
    if user.has_role(Role.REVIEWER):  # four eyes: never one's own (review.can_review)
        waiting = (
            Protocol.objects.filter(status=Protocol.Status.IN_REVIEW)
            .exclude(owner=user)
            .select_related("owner")
            .only("pk", "title", "meeting_date", "created_at", "owner__name")
            .order_by("created_at")[:LIMIT]
        )
        items += [
            InboxItem(
                kind=_("Protocols to review"),
                title=protocol.title,
                url=reverse("assistants:protocol-detail", args=[protocol.pk]),
                since=protocol.created_at,
                note=_("by %(name)s, meeting of %(date)s")
                % {"name": protocol.owner.name, "date": protocol.meeting_date.strftime("%d.%m.%Y")},
            )
            for protocol in waiting
        ]
    returned = (
        Protocol.objects.filter(owner=user, status=Protocol.Status.RETURNED)
        .only("pk", "title", "created_at", "return_comment")
        .order_by("created_at")[:LIMIT]
    )
    items += [
        InboxItem(
            kind=_("Protocols returned to you"),
            title=protocol.title,
            url=reverse("assistants:protocol-detail", args=[protocol.pk]),
            since=protocol.created_at,
            note=protocol.return_comment[:200],
        )
        for protocol in returned
    ]
    return items
