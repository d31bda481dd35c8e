"""What a run leaves behind, written for the demo: job rows with a worker's figures, the
speech worker's transcript, the audit entries of both, and the story's clock.

The job machinery writes these when a worker runs a job; the demo has no worker run, so
they are written here field for field as assistants/services/jobs.py, generation.py and
assistants/speech/services.py write them, and dated back to when the story has them.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from assistants import tokens
from assistants.demo.texts import Meeting
from assistants.kinds import TRANSCRIPT, Generated
from assistants.llm import MESSAGE_OVERHEAD_TOKENS
from assistants.models import GenerationJob, Protocol, ProtocolTemplate, StatusReport, Transcript
from assistants.speech import turns as speech_turns
from assistants.speech.services import new_audio_name, transcript_update
from portal.models import AuditEntry, User
from portal.services import audit_record

# What the pages show as "Modell": no model wrote these, and the demo must not pretend one
# did. Not a local file either, so the demo's figures never enter a model's time estimates.
MODEL_NAME = "Beispieldaten der Demo (von Hand geschrieben)"
TOKENS_PER_SECOND = {"prompt": 900, "completion": 40}  # what such a server manages


@dataclass(frozen=True)
class ModelStandIn:
    """Stands in for the backend where storing a result only asks which model wrote it."""

    model_name: str = MODEL_NAME


def workday_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A time on `day`, never later than now (a step the day after may be today)."""
    when = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    return min(when, timezone.now() - timedelta(minutes=1))


def later(start: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """`days` workdays after `start`, at `hour`: when a next step of the review happened."""
    day = timezone.localdate(start)
    for _ in range(days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return max(moment(day, hour, minute), start + timedelta(minutes=5))


def transcript_stored(meeting: Meeting, owner: User, ended: datetime) -> Transcript:
    """The recording's transcript as the speech worker stores it (no speakers: the model
    does not tell voices apart), then named by its owner."""
    seconds = round(meeting.turns[-1][1] + 1.5, 1)
    job = GenerationJob.objects.create(
        kind=TRANSCRIPT,
        owner=owner,
        output_language="de",
        params={
            "title": meeting.title,
            "audio": new_audio_name() + ".webm",  # deleted once the transcript was stored
            "seconds": seconds,
            "language": "de",
            "recorded": True,
        },
    )
    requested = audit_record(
        actor=owner,
        action="assistant.transcription_requested",
        target=job,
        details={"seconds": round(seconds), "container": "webm", "codec": "opus", "recorded": True},
    )
    heard = [
        {"start": start, "end": end, "speaker": "", "text": speech_turns.clean_text(said)}
        for start, end, _speaker, said in meeting.turns
    ]
    took = round(seconds / 4, 1)  # a quarter of real time on the CPU
    uploaded = ended + timedelta(minutes=2)
    GenerationJob.objects.filter(pk=job.pk).update(created_at=uploaded, enqueued_at=uploaded)
    mark_done(
        job,
        started=uploaded + timedelta(seconds=1),
        took=took,
        model=MODEL_NAME,
        worker="stt@",  # the speech worker's name for itself
    )
    transcript = Transcript.objects.create(
        owner=owner,
        job=job,
        title=meeting.title,
        language="de",
        seconds=seconds,
        turns=heard,
        model_name=MODEL_NAME,
    )
    transcribed = audit_record(
        actor=owner,
        action="assistant.transcribed",
        target=transcript,
        details={
            "model": MODEL_NAME,
            "seconds": seconds,
            "turns": len(heard),
            "took": took,
        },
    )
    job.refresh_from_db()
    Transcript.objects.filter(pk=transcript.pk).update(created_at=job.finished_at)
    named = [
        {**turn, "speaker": speech_turns.clean_speaker(speaker)}
        for turn, (_s, _e, speaker, _t) in zip(heard, meeting.turns, strict=True)
    ]
    transcript_update(transcript=transcript, turns=named, by=owner)
    corrected = job.finished_at + timedelta(minutes=12)
    Transcript.objects.filter(pk=transcript.pk).update(updated_at=corrected)
    date_audit(requested, job.created_at)
    date_audit(transcribed, job.finished_at)
    date_audit(last_audit(transcript, "assistant.transcript_edited"), corrected)
    transcript.refresh_from_db()
    return transcript


def job_created(
    *,
    kind: str,
    owner: User,
    title: str,
    day: date,
    template: ProtocolTemplate | None,
    source: str,
    params: dict,
    at: datetime,
) -> GenerationJob:
    """The job row and audit entry as generation_job_create writes them (without the
    worker's wake-up: the result is written here)."""
    job = GenerationJob.objects.create(
        kind=kind,
        owner=owner,
        input_text=source,
        template=template,
        output_language=owner.preferred_language,
        params={"title": title, "meeting_date": day.isoformat(), **params},
    )
    entry = audit_record(
        actor=owner,
        action="assistant.job_created",
        target=job,
        details={
            "kind": job.kind,
            "template": template.key if template else "",
            "version": template.version if template else 0,
            "characters": len(source),
        },
    )
    GenerationJob.objects.filter(pk=job.pk).update(created_at=at, enqueued_at=at)
    date_audit(entry, at)
    job.refresh_from_db()
    return job


def result_of(document: dict, messages: list[dict]) -> Generated:
    """The validated document with the token counts of its prompt and answer (estimated)."""
    return Generated(
        document=document,
        prompt_tokens=sum(
            tokens.estimate(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages
        ),
        completion_tokens=tokens.estimate(json.dumps(document, ensure_ascii=False)),
    )


def mark_done(
    job: GenerationJob, *, started: datetime, took: float, model: str, worker: str = "", **fields
) -> None:
    """The figures a worker leaves on a job it claimed once and finished."""
    GenerationJob.objects.filter(pk=job.pk).update(
        status=GenerationJob.Status.DONE,
        attempts=1,
        worker=f"{worker}{socket.gethostname()}"[:200],
        started_at=started,
        heartbeat_at=started + timedelta(seconds=took),
        lease_expires_at=started + timedelta(seconds=took + 600),
        finished_at=started + timedelta(seconds=took),
        progress=100,
        parts_total=1,
        model_name=model[:200],
        **fields,
    )


def finish(job: GenerationJob, generated: Generated) -> None:
    """Mark the job done as its worker would, with the audit entry generation._finish writes."""
    reading = generated.prompt_tokens / TOKENS_PER_SECOND["prompt"]
    writing = generated.completion_tokens / TOKENS_PER_SECOND["completion"]
    started = job.created_at + timedelta(seconds=2)
    mark_done(
        job,
        started=started,
        took=round(reading + writing, 1),
        model=MODEL_NAME,
        first_token_at=started + timedelta(seconds=reading),
        prompt_tokens=generated.prompt_tokens,
        completion_tokens=generated.completion_tokens,
    )
    job.refresh_from_db()
    entry = audit_record(
        actor=job.owner,
        action="assistant.protocol_generated",
        target=job,
        details={
            "assistant": job.kind,
            "model": MODEL_NAME,
            "template": job.template.key if job.template else "",
            "version": job.template.version if job.template else 0,
            "prompt_tokens": job.prompt_tokens,
            "completion_tokens": job.completion_tokens,
            "seconds": job.duration_seconds(),
            "parts": job.parts_total,
        },
    )
    date_audit(entry, job.finished_at)
    Protocol.objects.filter(job=job).update(created_at=job.finished_at)
    StatusReport.objects.filter(job=job).update(created_at=job.finished_at)


def last_audit(target, action: str) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(
            action=action, target_type=target._meta.label_lower, target_id=str(target.pk)
        )
        .order_by("-pk")
        .first()
    )


def date_audit(entry: AuditEntry | None, when: datetime) -> None:
    """Date an entry the service wrote now to when the step happened in the demo's story."""
    if entry is not None:
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)
