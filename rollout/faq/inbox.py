"""Questions sent to the FAQ team wait for it until they are answered or closed."""

from __future__ import annotations

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.registry import InboxItem
from rollout.faq.models import Question, QuestionStatus
from rollout.faq.views import FAQ_TEAM

LIMIT = 100


def question_inbox(user: User) -> list[InboxItem]:
    if not user.has_role(*FAQ_TEAM):
        return []
    waiting = (
        Question.objects.in_status(QuestionStatus.OPEN)
        .only("pk", "text", "received_on")
        .order_by("received_on", "pk")[:LIMIT]
    )
    return [
        InboxItem(
            kind=_("Questions to answer"),
            title=Truncator(" ".join(question.text.split())).chars(140),
            url=reverse("rollout:faq-question", args=[question.pk]),
            since=timezone.make_aware(datetime.combine(question.received_on, time.min)),
        )
        for question in waiting
    ]
