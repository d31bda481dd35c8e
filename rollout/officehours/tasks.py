"""Office-hour tasks: booking mails, reminders, slot generation (thin: call a service)."""

from __future__ import annotations

from celery import shared_task

from portal.tasks import MAIL_TASK_OPTIONS
from rollout.common.reminders import reminders_send
from rollout.officehours import mail as officehours_mail
from rollout.officehours import services as officehours


@shared_task(name="rollout.tasks.officehours.officehour_booking_mail", **MAIL_TASK_OPTIONS)
def officehour_booking_mail(booking_id: int, kind: str) -> None:
    """Mail a person about their booking, with an .ics (skipped if no longer true)."""
    officehours_mail.booking_mail(booking_id=booking_id, kind=kind)


# The old beat entry's name: messages queued before the one reminder loop still run.
@shared_task(
    name="rollout.tasks.officehours.booking_reminders_send", time_limit=600, soft_time_limit=580
)
def booking_reminders_send() -> int:
    """Remind people of their office-hour slot in the next 24 hours, each exactly once."""
    return reminders_send(officehours_mail.REMINDER)


@shared_task(
    name="rollout.tasks.officehours.office_hour_slots_generate", time_limit=300, soft_time_limit=280
)
def office_hour_slots_generate() -> int:
    """Create the coming slots of every running office hour (90 days ahead)."""
    return officehours.officehour_generate_all()
