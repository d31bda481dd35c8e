"""Event tasks: registration mails, reminders and series generation (thin: call a service)."""

from __future__ import annotations

from celery import shared_task

from portal.tasks import MAIL_TASK_OPTIONS
from rollout.common.reminders import reminders_send
from rollout.events import mail as event_mail
from rollout.events import series


@shared_task(name="rollout.tasks.events.event_registration_mail", **MAIL_TASK_OPTIONS)
def event_registration_mail(registration_id: int, kind: str) -> None:
    """Mail a person about their registration, with an .ics (skipped if no longer true)."""
    event_mail.registration_mail(registration_id=registration_id, kind=kind)


# The old beat entry's name: messages queued before the one reminder loop still run.
@shared_task(name="rollout.tasks.events.event_reminders_send", time_limit=600, soft_time_limit=580)
def event_reminders_send() -> int:
    """Remind confirmed people of events in the next 24 hours, each exactly once."""
    return reminders_send(event_mail.REMINDER)


@shared_task(name="rollout.tasks.events.event_series_generate", time_limit=300, soft_time_limit=280)
def event_series_generate() -> int:
    """Create the coming sessions of every active series."""
    return series.series_generate_all()
