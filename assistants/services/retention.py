"""Delete transcripts and unapproved drafts after PORTAL_TRANSCRIPT_RETENTION_DAYS, and any
recording left behind.

Approved protocols are records and stay. What remains of an old job are figures (times,
token counts, model), never text from the meeting.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assistants.models import GenerationJob, Protocol, Transcript
from assistants.speech.services import audio_purge
from portal.services import audit_record


@transaction.atomic
def retention_purge() -> dict[str, int]:
    cutoff = timezone.now() - timedelta(days=settings.TRANSCRIPT_RETENTION_DAYS)
    old_jobs = GenerationJob.objects.filter(created_at__lt=cutoff).exclude(
        status__in=GenerationJob.ACTIVE
    )
    # Drafts never approved, with their jobs: nothing of them is a record.
    drafts = Protocol.objects.filter(created_at__lt=cutoff, versions__isnull=True)
    draft_jobs = list(drafts.values_list("job_id", flat=True))
    deleted_drafts = drafts.delete()[1].get("assistants.Protocol", 0)
    deleted_jobs = (
        GenerationJob.objects.filter(pk__in=draft_jobs)
        .delete()[1]
        .get("assistants.GenerationJob", 0)
    )
    # Jobs without a protocol (failed, cancelled) go too; finished ones keep their figures.
    orphaned = old_jobs.filter(protocol__isnull=True).delete()[1].get("assistants.GenerationJob", 0)
    cleared = old_jobs.exclude(input_text="", partial_output="").update(
        input_text="", partial_output="", params={}
    )
    # Transcripts of recordings are transcripts too; the recordings themselves are gone
    # already, except those of jobs that never ended properly (a worker died for good).
    transcripts = Transcript.objects.filter(created_at__lt=cutoff).delete()[1]
    counts = {
        "transcripts_deleted": transcripts.get("assistants.Transcript", 0),
        "recordings_deleted": audio_purge(),
        "drafts_deleted": deleted_drafts,
        "jobs_deleted": deleted_jobs + orphaned,
        "transcripts_cleared": cleared,
    }
    if any(counts.values()):
        audit_record(
            actor=None,
            action="retention.purged",
            details={**counts, "days": settings.TRANSCRIPT_RETENTION_DAYS},
        )
    return counts
