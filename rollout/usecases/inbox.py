"""Use cases in review wait for reviewers who are neither their owner nor a contributor."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.registry import InboxItem
from rollout.usecases.models import UseCase
from rollout.usecases.services import is_reviewer

LIMIT = 100


def usecase_inbox(user: User) -> list[InboxItem]:
    if not is_reviewer(user):
        return []
    waiting = (
        UseCase.objects.filter(status=UseCase.Status.IN_REVIEW)
        .exclude(owner=user)
        .exclude(contributors=user)
        .only("pk", "title", "status_changed_at", "created_at")
        .order_by("status_changed_at", "pk")[:LIMIT]
    )
    return [
        InboxItem(
            kind=_("Use cases to review"),
            title=use_case.title,
            url=reverse("rollout:usecase-detail", args=[use_case.pk]),
            since=use_case.status_changed_at or use_case.created_at,
        )
        for use_case in waiting
    ]
