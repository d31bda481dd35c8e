"""The anonymous feedback box: concerns and ideas without a sender.

`feedback_send` takes no person on purpose: what is stored is the kind, the text and the
month it arrived — no user, no time of day, no audit entry, no log line. Like survey answers
(rollout/surveys/seal.py), a row still carries PostgreSQL's own traces of when it
was written (`xmin`, its place in the table) that someone with direct SQL access could set
against other rows written at that moment; `feedback_seal` rewrites the recent messages in
random order in one transaction, so that these traces only say "sealed then".
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.models import FeedbackMessage

Kind = FeedbackMessage.Kind
MAX_TEXT = 3000


class FeedbackError(Exception):
    """The message cannot be stored like this; the message says why."""


def month_start(day: date) -> date:
    return day.replace(day=1)


def feedback_send(*, kind: str, text: str) -> None:
    """Store an anonymous message, dated by its month only."""
    text = text.strip()
    if kind not in Kind.values:
        raise FeedbackError(_("Choose what kind of message this is."))
    if not text:
        raise FeedbackError(_("Please write your message."))
    if len(text) > MAX_TEXT or "\x00" in text:
        raise FeedbackError(_("The message is too long."))
    FeedbackMessage.objects.create(
        kind=kind, text=text, received_month=month_start(timezone.localdate())
    )


def feedback_messages(*, month: date | None = None, kind: str = "", handled: bool | None = None):
    """Return the messages, newest month first; within a month ordered by text, not arrival."""
    found: QuerySet[FeedbackMessage] = FeedbackMessage.objects.all()
    if month is not None:
        found = found.filter(received_month=month)
    if kind:
        found = found.filter(kind=kind)
    if handled is not None:
        found = found.filter(handled=handled)
    return found.order_by("-received_month", "text", "id")


def feedback_months() -> list[date]:
    return list(
        FeedbackMessage.objects.order_by("-received_month")
        .values_list("received_month", flat=True)
        .distinct()
    )


@transaction.atomic
def feedback_mark(*, message_id: UUID, handled: bool, by: User) -> FeedbackMessage:
    message = FeedbackMessage.objects.select_for_update().get(pk=message_id)
    if message.handled != handled:
        message.handled = handled
        message.save(update_fields=["handled"])
        audit_record(
            actor=by,
            action="feedback.handled" if handled else "feedback.reopened",
            target=message,
        )
    return message


@transaction.atomic
def feedback_seal(*, today: date | None = None) -> int:
    """Rewrite this and last month's messages in random order (same keys); return how many."""
    this_month = month_start(today or timezone.localdate())
    last_month = month_start(this_month - timedelta(days=1))
    recent = FeedbackMessage.objects.filter(received_month__gte=last_month)
    rows = list(recent.values("id", "kind", "text", "received_month", "handled"))
    if not rows:
        return 0
    recent.delete()
    secrets.SystemRandom().shuffle(rows)
    FeedbackMessage.objects.bulk_create(FeedbackMessage(**row) for row in rows)
    return len(rows)
