"""Thin Celery tasks of the AI layer: fetch by id, call a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from assistants.llm import LlmUnavailable
from assistants.services import jobs, protocols


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
    protocols.generation_job_run(job_id=job_id)


@shared_task(time_limit=60, soft_time_limit=50)
def generation_jobs_reap() -> dict[str, int]:
    return jobs.jobs_reap()
