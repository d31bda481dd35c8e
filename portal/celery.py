"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

from __future__ import annotations

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_entry(task: str, cron: str) -> dict:
    """Return a beat entry whose message expires just below the period (no double runs).

    `cron` is a cron line, or "<n>s" for every n seconds (settings.env_cron checked it).
    """
    if cron.endswith("s"):
        period = float(cron.removesuffix("s"))
        # A reaper message that waited a whole period is dropped: the next one is on its way.
        return {
            "task": task,
            "schedule": timedelta(seconds=period),
            "options": {"expires": period * 0.9},
        }
    minute, hour, day_of_month, month, day_of_week = cron.split()
    schedule = crontab(minute, hour, day_of_week, day_of_month, month)
    now = schedule.now()
    first = (now + schedule.remaining_estimate(now) + timedelta(seconds=1)).replace(
        second=0, microsecond=0
    )
    start, delta, _now = schedule.remaining_delta(first)
    period = (start + delta - first).total_seconds()
    return {"task": task, "schedule": schedule, "options": {"expires": max(30.0, period * 0.9)}}


@app.on_after_configure.connect
def _schedule_periodic_tasks(sender: Celery, **kwargs) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = {
        name: beat_entry(task, cron) for name, (task, cron) in settings.PERIODIC_TASKS.items()
    }
