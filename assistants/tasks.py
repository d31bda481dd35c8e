"""Thin Celery tasks of the AI layer: fetch by id, call a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from assistants import mail
from assistants.llm import LlmUnavailable
from assistants.services import action_items, generation, jobs, reports, retention
from portal.tasks import MAIL_ERRORS, MAIL_TASK_OPTIONS


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,  # a killed worker's message goes back to the queue
    autoretry_for=(LlmUnavailable,),  # only the model server being away is worth a retry
    retry_backoff=10,
    retry_jitter=True,
    max_retries=5,
    # Below the broker's visibility timeout, so a running job is never delivered twice.
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def generation_job_run(job_id: int) -> None:
    generation.generation_job_run(job_id=job_id)


@shared_task(time_limit=60, soft_time_limit=50)
def generation_jobs_reap() -> dict[str, int]:
    from assistants.speech.services import audio_purge

    # Recordings of jobs that failed for good (their worker died each time) go here too.
    return {**jobs.jobs_reap(), "recordings_deleted": audio_purge()}


@shared_task(**MAIL_TASK_OPTIONS)
def action_item_notify(item_id: int, reminder: bool = False) -> None:
    """Mail an action item's owner: new from an approved protocol, or overdue."""
    mail.action_item_mail(item_id=item_id, reminder=reminder)


@shared_task(time_limit=60, soft_time_limit=50)
def monthly_report() -> int | None:
    """Draft the month's status report for the programme admins to review."""
    owner = reports.monthly_report_owner()
    if owner is None:
        return None
    return reports.report_job_create(owner=owner, language=owner.preferred_language).pk


@shared_task(time_limit=600, soft_time_limit=580)
def retention_purge() -> dict[str, int]:
    return retention.retention_purge()


@shared_task(time_limit=300, soft_time_limit=280)
def action_items_remind() -> int:
    """Remind the owners of overdue items, each at most once a day."""
    sent = 0
    for item_id in action_items.overdue_to_remind():
        if not action_items.reminder_claim(item_id):
            continue  # another run took it today
        try:
            mail.action_item_mail(item_id=item_id, reminder=True)
        except MAIL_ERRORS:
            action_items.reminder_release(item_id)  # tomorrow's run tries again
            continue
        sent += 1
    return sent


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def transcription_job_run(job_id: int) -> None:
    """Speech to text, on the `stt` queue (settings.CELERY_TASK_ROUTES)."""
    from assistants.speech import services as speech

    speech.transcription_job_run(job_id=job_id)
