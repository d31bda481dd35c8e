"""Run a generation job of any kind once: claim it, let its kind generate, store the result.

What is generated and where the result goes belongs to the job's kind (assistants/kinds.py);
this module owns what every kind shares: the lease, the failure messages people read, and
the single transaction that marks the job done and stores its result, both or neither.
"""

from __future__ import annotations

import logging
import socket
import traceback

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from assistants.kinds import Generated, JobKind, ResultInvalid, job_kind
from assistants.llm import GenerationCancelled, LlmBackend, LlmError, get_backend
from assistants.models import GenerationJob
from assistants.services.jobs import (
    job_claim,
    job_fail,
    job_lease_kept,
    job_mark_cancelled,
    job_mark_done,
)
from portal.services import audit_record

logger = logging.getLogger(__name__)


def generation_job_run(*, job_id: int) -> None:
    """Run one job to its end; safe to call twice for the same id (at-least-once delivery)."""
    job = job_claim(job_id=job_id, worker=f"{socket.gethostname()}")
    if job is None:
        return
    # Notes and messages stored on the job are read by its owner: write them in their language.
    with translation.override(job.owner.preferred_language):
        _run_claimed(job)


def _run_claimed(job: GenerationJob) -> None:
    kind = job_kind(job.kind)
    if kind is None or kind.generate is None:  # its app was removed while the job waited
        job_fail(job, _("This kind of job is no longer available on this server."))
        return
    try:
        with job_lease_kept(job):
            backend = get_backend()
            generated = kind.generate(job, backend)
    except GenerationCancelled:
        job_mark_cancelled(job)
        return
    except LlmError as e:
        logger.warning("job %s failed: %s", job.pk, e.__class__.__name__)
        job_fail(job, _("The model could not create the result: %(reason)s") % {"reason": e})
        return
    except SoftTimeLimitExceeded:
        job_fail(job, _("The generation took too long and was stopped. Try a shorter text."))
        return
    except ResultInvalid as e:
        job_fail(
            job,
            _(
                "The model's answer was not usable, also after a second try (%(reason)s). "
                "Try again, or use a different template."
            )
            % {"reason": e},
        )
        return
    except Exception as e:
        # Unexpected: fail the job with a message now instead of letting it crash and be
        # re-queued until its attempts run out. Only the type and the code path are logged:
        # an exception's message could quote the transcript.
        logger.error(
            "job %s: unexpected %s\n%s",
            job.pk,
            type(e).__name__,
            "".join(traceback.format_tb(e.__traceback__)),
        )
        job_fail(
            job,
            _(
                "An unexpected error stopped the generation. The administrators can "
                "find it in the worker log."
            ),
        )
        return
    _finish(job, kind, generated, backend)


def _finish(job: GenerationJob, kind: JobKind, generated: Generated, backend: LlmBackend) -> None:
    """Mark the job done and store its result, both or neither, and only once."""
    try:
        with transaction.atomic():
            owned = job_mark_done(
                job,
                model_name=backend.model_name[:200],
                prompt_tokens=generated.prompt_tokens,
                completion_tokens=generated.completion_tokens,
                condensed_note=generated.condensed_note,
                parts_total=generated.parts,
                result=None if kind.store else generated.document,
            )
            if not owned:
                return  # cancelled meanwhile, or re-queued after this worker looked dead
            if kind.store:
                kind.store(job, generated, backend)
    except IntegrityError:
        logger.warning("job %s: result already stored, second result dropped", job.pk)
        return
    job.refresh_from_db()
    audit_record(
        actor=job.owner,
        action="assistant.protocol_generated",
        target=job,
        details={
            "assistant": job.kind,
            "model": backend.model_name,
            "template": job.template.key if job.template else "",
            "version": job.template.version if job.template else 0,
            "prompt_tokens": job.prompt_tokens,
            "completion_tokens": job.completion_tokens,
            "seconds": round((job.finished_at - job.started_at).total_seconds(), 2),
            "parts": job.parts_total,
        },
    )
