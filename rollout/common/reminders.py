"""Reminder mails shortly before something starts: each feature registers a `Reminder`,
one loop sends them all (claim, send, release on failure)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Model, Q
from django.utils import timezone

from portal.tasks import MAIL_ERRORS

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)  # reminders go out this long before the start


@dataclass(frozen=True)
class Reminder:
    """Rows with a `reminded_at` column that get one reminder mail before they start."""

    name: str  # for logs, e.g. "office-hour booking"
    model: type[Model]
    live: Q  # the row still takes place: its own columns only (see `claim`)
    starts_at: str  # lookup path of the start time, e.g. "event__starts_at"
    send: Callable[[int], bool]  # mail one row; False if it no longer applies
    live_elsewhere: Q = field(default_factory=Q)  # conditions through joins (due rows only)

    def due(self, now: datetime | None = None) -> list[int]:
        """Return the live rows that start within the window and were not reminded yet."""
        now = now or timezone.now()
        window = {f"{self.starts_at}__gt": now, f"{self.starts_at}__lte": now + WINDOW}
        rows = self.model.objects.filter(
            self.live, self.live_elsewhere, reminded_at__isnull=True, **window
        )
        return list(rows.order_by(self.starts_at, "pk").values_list("pk", flat=True))

    def claim(self, pk: int) -> bool:
        """Mark the reminder as sent, if no other run did: exactly one run wins the row.

        Only the row's own columns: a condition through a join makes Django write
        `WHERE id IN (subquery)`, and PostgreSQL does not re-check a subquery after waiting
        for a concurrent claim, so both runs would win.
        """
        rows = self.model.objects.filter(self.live, pk=pk, reminded_at__isnull=True)
        return bool(rows.update(reminded_at=timezone.now()))

    def release(self, pk: int) -> None:
        """The mail failed: let the next run try again."""
        self.model.objects.filter(pk=pk).update(reminded_at=None)


REMINDERS: list[Reminder] = []


def register_reminder(reminder: Reminder) -> None:
    if all(r.name != reminder.name for r in REMINDERS):
        REMINDERS.append(reminder)


def reminded_at_on_confirm(starts_at: datetime) -> datetime | None:
    """A confirmation this close to the start is the reminder: no second mail minutes later."""
    now = timezone.now()
    return now if starts_at - now <= WINDOW else None


def reminders_send(reminder: Reminder) -> int:
    """Send each due reminder once and return how many went out.

    `claim` is a conditional UPDATE, so overlapping runs never send twice; a transient
    mail failure releases the claim and the next run tries again.
    """
    sent = 0
    for pk in reminder.due():
        if not reminder.claim(pk):
            continue  # an overlapping run took it
        try:
            if reminder.send(pk):
                sent += 1
        except MAIL_ERRORS:
            reminder.release(pk)
            logger.warning("reminder for %s %s not sent", reminder.name, pk)
    return sent


def reminders_send_all() -> int:
    """Send every registered kind of reminder; one failing kind does not stop the others."""
    sent = 0
    for reminder in REMINDERS:
        try:
            sent += reminders_send(reminder)
        except Exception:
            logger.exception("reminders for %s failed", reminder.name)
    return sent
