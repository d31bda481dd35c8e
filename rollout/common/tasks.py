"""The one reminder loop over every feature's registered reminders (thin: call the loop)."""

from __future__ import annotations

from celery import shared_task

from rollout.common.reminders import reminders_send_all


@shared_task(name="rollout.tasks.reminders.reminders_send", time_limit=600, soft_time_limit=580)
def reminders_send() -> int:
    """Remind people of what they take part in within the next 24 hours, each exactly once."""
    return reminders_send_all()
