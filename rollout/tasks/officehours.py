"""Office-hour tasks: booking mails, reminders, slot generation (thin: call a service)."""

from __future__ import annotations

import logging

from celery import shared_task

from portal.tasks import MAIL_ERRORS, MAIL_TASK_OPTIONS
from rollout.services import officehours, officehours_mail

logger = logging.getLogger(__name__)


@shared_task(**MAIL_TASK_OPTIONS)
def officehour_booking_mail(booking_id: int, kind: str) -> None:
    """Mail a person about their booking, with an .ics (skipped if no longer true)."""
    officehours_mail.booking_mail(booking_id=booking_id, kind=kind)


@shared_task(time_limit=600, soft_time_limit=580)
def booking_reminders_send() -> int:
    """Remind people of their office-hour slot in the next 24 hours, each exactly once."""
    sent = 0
    for booking_id in officehours_mail.reminders_due():
        if not officehours_mail.reminder_claim(booking_id):
            continue  # an overlapping run took it
        try:
            if officehours_mail.booking_mail(booking_id=booking_id, kind="reminder"):
                sent += 1
        except MAIL_ERRORS:
            officehours_mail.reminder_release(booking_id)  # the next run tries again
            logger.warning("reminder for office-hour booking %s not sent", booking_id)
    return sent


@shared_task(time_limit=300, soft_time_limit=280)
def office_hour_slots_generate() -> int:
    """Create the coming slots of every running office hour (90 days ahead)."""
    return officehours.officehour_generate_all()
