"""Event tasks: registration mails, reminders and series generation (thin: call a service)."""

from __future__ import annotations

import logging

from celery import shared_task

from portal.tasks import MAIL_ERRORS, MAIL_TASK_OPTIONS
from rollout.services import event_mail, series

logger = logging.getLogger(__name__)


@shared_task(**MAIL_TASK_OPTIONS)
def event_registration_mail(registration_id: int, kind: str) -> None:
    """Mail a person about their registration, with an .ics (skipped if no longer true)."""
    event_mail.registration_mail(registration_id=registration_id, kind=kind)


@shared_task(time_limit=600, soft_time_limit=580)
def event_reminders_send() -> int:
    """Remind confirmed people of events in the next 24 hours, each exactly once."""
    sent = 0
    for registration_id in event_mail.reminders_due():
        if not event_mail.reminder_claim(registration_id):
            continue  # an overlapping run took it
        try:
            if event_mail.registration_mail(registration_id=registration_id, kind="reminder"):
                sent += 1
        except MAIL_ERRORS:
            event_mail.reminder_release(registration_id)  # the next run tries again
            logger.warning("reminder for registration %s not sent", registration_id)
    return sent


@shared_task(time_limit=300, soft_time_limit=280)
def event_series_generate() -> int:
    """Create the coming sessions of every active series."""
    return series.series_generate_all()
