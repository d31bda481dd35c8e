"""Every task of ours can be sent: its limits fit together and below the visibility timeout."""

from __future__ import annotations

from django.conf import settings

from portal.celery import app

OUR_APPS = ("portal.", "rollout.", "assistants.", "newsletter.")


def test_task_time_limits_are_consistent() -> None:
    app.loader.import_default_modules()
    tasks = {name: task for name, task in app.tasks.items() if name.startswith(OUR_APPS)}
    assert tasks
    for name, task in tasks.items():
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft <= hard, name  # Celery refuses to send such a task
        assert hard < settings.CELERY_VISIBILITY_TIMEOUT, name  # or it could run twice


def test_periodic_tasks_exist_and_expire_within_their_period() -> None:
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name
        assert 0 < entry["options"]["expires"] <= 3600 * 24 * 31
