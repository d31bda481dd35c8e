"""Newsletter tasks: scheduled issues, batched sending."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from newsletter.services import sending


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,  # a killed worker's batch task goes back to the queue
    # Below the broker's visibility timeout, so a running batch is never delivered twice.
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
)
def issue_batch_send(issue_id: int) -> dict:
    """Send one batch; queues the next one (or a retry with backoff) itself."""
    outcome = sending.batch_run(issue_id)
    return {"sent": outcome.sent, "failed": outcome.failed, "requeued": outcome.requeued}


@shared_task(time_limit=120, soft_time_limit=100)
def scheduled_issues_send() -> dict[str, int]:
    """Beat, every 10 s: start due issues, reclaim rows of dead workers, keep sends going."""
    return sending.scheduled_issues_send()
