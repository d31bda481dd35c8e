"""Writes of the job machinery: create, claim, heartbeat, finish, fail, cancel, reap.

Delivery is at-least-once. A worker claims a job with one conditional UPDATE that also
counts the attempt and sets a lease; every later write is conditional on still holding
that attempt, so a worker that lost its job (lease ran out, job re-queued) cannot write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from assistants.kinds import LLM_QUEUE, STT_QUEUE, job_kind, kinds_on_queue
from assistants.models import GenerationJob, ProtocolTemplate
from portal.models import User
from portal.services import audit_record

logger = logging.getLogger(__name__)
Status = GenerationJob.Status


@transaction.atomic
def generation_job_create(
    *,
    kind: str,
    owner: User,
    title: str,
    day: date,
    template: ProtocolTemplate,
    output_language: str,
    source: str,
    params: dict | None = None,
) -> GenerationJob:
    """Store a job of a registered kind (assistants/kinds.py) and wake the llm worker after
    commit. `day` is the date the result speaks of (a meeting's, a report's); `source` the
    text the model works from; `params` what only this kind needs."""
    job = GenerationJob.objects.create(
        kind=kind,
        owner=owner,
        input_text=source,
        template=template,
        output_language=output_language,
        params={"title": title, "meeting_date": day.isoformat(), **(params or {})},
    )
    audit_record(
        actor=owner,
        action="assistant.job_created",
        target=job,
        details={
            "kind": job.kind,
            "template": template.key,
            "version": template.version,
            "characters": len(source),
        },
    )
    job_enqueue(job)
    return job


def job_enqueue(job: GenerationJob) -> None:
    """Send the wake-up call after commit; only the id travels through Celery.

    The task decides the queue, and so the worker: speech to text has its own model."""
    from assistants.tasks import generation_job_run, transcription_job_run

    kind = job_kind(job.kind)
    task = transcription_job_run if kind and kind.queue == STT_QUEUE else generation_job_run
    GenerationJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now())
    task.delay_on_commit(job.pk)


def job_claim(*, job_id: int, worker: str) -> GenerationJob | None:
    """Take a queued job (or one whose lease ran out); None if someone else has it."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.LLM_JOB_LEASE_SECONDS)
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, lease_expires_at__lt=now)
    with transaction.atomic():
        claimed = GenerationJob.objects.filter(
            claimable,
            pk=job_id,
            attempts__lt=settings.LLM_JOB_MAX_ATTEMPTS,
            cancel_requested=False,
        ).update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=lease,
            heartbeat_at=now,
            started_at=now,
            worker=worker[:200],
            error="",
        )
        if not claimed:
            _fail_if_exhausted(pk=job_id)
            return None
    return GenerationJob.objects.get(pk=job_id)


def _fail_if_exhausted(**which) -> int:
    """Fail the matching jobs whose attempts are used up and that nobody runs; return how many."""
    now = timezone.now()
    return GenerationJob.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, lease_expires_at__lt=now),
        attempts__gte=settings.LLM_JOB_MAX_ATTEMPTS,
        **which,
    ).update(
        status=Status.FAILED,
        finished_at=now,
        partial_output="",
        error=gettext(
            "The generation stopped several times (the worker crashed). Please try a shorter "
            "text or ask the administrators to check the model."
        ),
    )


def job_heartbeat(job: GenerationJob, **progress) -> bool:
    """Renew the lease and store progress; False if the job is no longer ours or cancelled."""
    now = timezone.now()
    updated = GenerationJob.objects.filter(
        pk=job.pk,
        status=Status.RUNNING,
        attempts=job.attempts,
        cancel_requested=False,
    ).update(
        heartbeat_at=now,
        lease_expires_at=now + timedelta(seconds=settings.LLM_JOB_LEASE_SECONDS),
        **progress,
    )
    return bool(updated)


@contextmanager
def job_lease_kept(job: GenerationJob) -> Iterator[None]:
    """Renew the job's lease from a thread while the model works.

    Progress writes renew it too, but reading a long prompt can take minutes on a CPU
    without a single token; without this the reaper would take a live job for a dead one.
    A failed renewal is tried again at the next turn: the lease outlasts two of them.
    """
    stop = threading.Event()
    interval = max(1.0, settings.LLM_JOB_LEASE_SECONDS / 3)

    def renew() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not job_heartbeat(job):
                        return  # no longer ours, or cancelled: the generation sees that too
                except DatabaseError as error:
                    logger.warning("job %s: lease not renewed: %s", job.pk, error)
                    connection.close()  # a fresh connection for the next try
        finally:
            connection.close()  # this thread's own connection

    keeper = threading.Thread(target=renew, name=f"lease-{job.pk}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join(timeout=10)


def job_fail(job: GenerationJob, message: str) -> bool:
    """Fail a running job of ours; False if it is no longer ours (nothing written then)."""
    failed = GenerationJob.objects.filter(
        pk=job.pk, status=Status.RUNNING, attempts=job.attempts
    ).update(
        status=Status.FAILED, error=message[:2000], finished_at=timezone.now(), partial_output=""
    )
    if not failed:
        return False
    audit_record(
        actor=None,
        action="assistant.generation_failed",
        target=job,
        details={"kind": job.kind, "attempt": job.attempts},
    )
    return True


def job_mark_done(job: GenerationJob, **fields) -> bool:
    """Mark a running job of ours done; False if it is no longer ours (cancelled meanwhile,
    or re-queued after this worker looked dead). Call inside the transaction that stores
    the result, so that both happen or neither."""
    return bool(
        GenerationJob.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=job.attempts
        ).update(
            status=Status.DONE,
            progress=100,
            finished_at=timezone.now(),
            partial_output="",
            progress_note="",
            **fields,
        )
    )


def job_mark_cancelled(job: GenerationJob) -> bool:
    """Mark a running job of ours cancelled; False if it is no longer ours."""
    return bool(
        GenerationJob.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=job.attempts
        ).update(status=Status.CANCELLED, finished_at=timezone.now(), partial_output="")
    )


@transaction.atomic
def job_cancel(*, job: GenerationJob, by) -> bool:
    """Cancel a job: at once if it waits, at the next token if it runs. False if finished."""
    now = timezone.now()
    if GenerationJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, cancel_requested=True, finished_at=now
    ):
        audit_record(actor=by, action="assistant.job_cancelled", target=job)
        return True
    if GenerationJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(cancel_requested=True):
        audit_record(actor=by, action="assistant.job_cancelled", target=job)
        return True
    return False


def jobs_reap() -> dict[str, int]:
    """Re-queue jobs of dead workers and jobs whose message may be lost; fail exhausted ones."""
    now = timezone.now()
    # Cancelled while its worker was gone: nobody will see the flag any more.
    orphaned_cancels = GenerationJob.objects.filter(
        status=Status.RUNNING,
        lease_expires_at__lt=now,
        cancel_requested=True,
    ).update(status=Status.CANCELLED, finished_at=now, partial_output="")
    expired = GenerationJob.objects.filter(status=Status.RUNNING, lease_expires_at__lt=now)
    failed = _fail_if_exhausted(status=Status.RUNNING)
    requeue_ids = list(
        expired.filter(attempts__lt=settings.LLM_JOB_MAX_ATTEMPTS).values_list("pk", flat=True)
    )
    GenerationJob.objects.filter(
        pk__in=requeue_ids, status=Status.RUNNING, lease_expires_at__lt=now
    ).update(status=Status.QUEUED, progress_note="")
    stale = now - timedelta(seconds=settings.LLM_REQUEUE_AFTER_SECONDS)
    lost_ids = list(
        GenerationJob.objects.filter(status=Status.QUEUED, enqueued_at__lt=stale)
        .exclude(pk__in=requeue_ids)
        .values_list("pk", flat=True)
    )
    for job in GenerationJob.objects.filter(pk__in=[*requeue_ids, *lost_ids]):
        job_enqueue(job)
    if requeue_ids or lost_ids or failed or orphaned_cancels:
        logger.warning(
            "reaper: %d re-queued after lease expiry, %d re-sent, %d failed, %d cancelled",
            len(requeue_ids),
            len(lost_ids),
            failed,
            orphaned_cancels,
        )
    return {
        "requeued": len(requeue_ids),
        "resent": len(lost_ids),
        "failed": failed,
        "cancelled": orphaned_cancels,
    }


def queue_position(job: GenerationJob) -> int:
    """Return how many jobs are ahead of this one (0 when it runs or is next)."""
    if job.status != Status.QUEUED:
        return 0
    kind = job_kind(job.kind)
    return GenerationJob.objects.filter(
        kind__in=kinds_on_queue(kind.queue if kind else LLM_QUEUE),
        status__in=GenerationJob.ACTIVE,
        created_at__lt=job.created_at,
    ).count()
