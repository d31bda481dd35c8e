"""Writes of speech to text: queue a recording, run its job, store and correct the transcript.

A transcription is a GenerationJob of kind "transcript" on the `stt` queue, so it has the
generation jobs' guarantees (assistants/services/jobs.py): one conditional claim per attempt,
a lease kept by heartbeats, the reaper for dead workers, cancel, and a result stored in the
same transaction that marks the job done. The recording is deleted the moment its transcript
is stored, or its job ends otherwise; the retention purge deletes whatever is left.
"""

from __future__ import annotations

import json
import logging
import secrets
import socket
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistants.kinds import STT_QUEUE, TRANSCRIPT, JobKind
from assistants.models import GenerationJob, Transcript
from assistants.schema import match_key, quote_key
from assistants.services.jobs import (
    job_claim,
    job_enqueue,
    job_fail,
    job_heartbeat,
    job_lease_kept,
    job_mark_cancelled,
    job_mark_done,
)
from assistants.speech import engine
from assistants.speech.audio import AudioInfo, duration_text
from assistants.speech.turns import clock, turns_from_segments
from portal.models import User
from portal.services import audit_record

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0


class _Cancelled(Exception):
    pass


class _LongerThanStated(Exception):
    """The decoded audio runs past the limit, although its header said it would not."""


def _result_url(job: GenerationJob) -> str | None:
    transcript = Transcript.objects.filter(job=job).only("pk").first()
    return reverse("assistants:transcript-detail", args=[transcript.pk]) if transcript else None


TRANSCRIPT_KIND = JobKind(
    key=TRANSCRIPT,
    label=gettext_lazy("Transcript of a recording"),
    generate=None,
    queue=STT_QUEUE,
    result_url=_result_url,
    open_label=gettext_lazy("Open the transcript"),
    start_url="assistants:transcript-new",
)


def audio_path(name: str) -> Path:
    return settings.AUDIO_DIR / name


def new_audio_name() -> str:
    """A name that says nothing about the recording (its file name may name people)."""
    return secrets.token_hex(16)


def audio_delete(job: GenerationJob) -> None:
    name = job.params.get("audio", "")
    if name and "/" not in name:
        audio_path(name).unlink(missing_ok=True)


@transaction.atomic
def transcription_job_create(
    *, owner: User, title: str, language: str, audio: str, info: AudioInfo, recorded: bool
) -> GenerationJob:
    """Queue the transcription of a stored recording; the stt worker wakes after commit."""
    job = GenerationJob.objects.create(
        kind=TRANSCRIPT,
        owner=owner,
        output_language=language or "",
        params={
            "title": title,
            "audio": audio,
            "seconds": round(info.seconds, 1),
            "language": language,
            "recorded": recorded,
        },
    )
    # Figures only: neither the file's name nor anything said in it.
    audit_record(
        actor=owner,
        action="assistant.transcription_requested",
        target=job,
        details={
            "seconds": round(info.seconds),
            "container": info.container,
            "codec": info.codec,
            "recorded": recorded,
        },
    )
    job_enqueue(job)
    return job


def transcription_job_run(*, job_id: int) -> None:
    """Run one transcription to its end; safe to call twice (at-least-once delivery)."""
    job = job_claim(job_id=job_id, worker=f"stt@{socket.gethostname()}")
    if job is None:
        return
    with translation.override(job.owner.preferred_language):
        _run_claimed(job)


def _run_claimed(job: GenerationJob) -> None:
    path = audio_path(job.params.get("audio", ""))
    if not job.params.get("audio") or not path.is_file():
        job_fail(job, _("The recording is no longer on the server. Please upload it again."))
        return
    GenerationJob.objects.filter(pk=job.pk, attempts=job.attempts).update(partial_output="")
    try:
        with job_lease_kept(job):
            segments = _transcribe(job, path)
    except _Cancelled:  # cancelled, or taken over by another worker after a lost lease
        if job_mark_cancelled(job):
            audio_delete(job)
        return
    except engine.SpeechModelError as e:
        _fail_and_delete(job, _("The speech model could not be used: %(reason)s") % {"reason": e})
        return
    except _LongerThanStated:
        _fail_and_delete(
            job,
            _(
                "The recording is longer than %(limit)s. Split it into parts and upload "
                "them one by one."
            )
            % {"limit": duration_text(settings.AUDIO_MAX_SECONDS)},
        )
        return
    except SoftTimeLimitExceeded:
        _fail_and_delete(job, _("The transcription took too long and was stopped."))
        return
    except Exception as e:
        # Only the type and the code path: a message from the decoder could name the file.
        logger.error(
            "transcription %s: unexpected %s\n%s",
            job.pk,
            type(e).__name__,
            "".join(traceback.format_tb(e.__traceback__)),
        )
        _fail_and_delete(
            job,
            _(
                "The recording could not be read to its end (it may be damaged). Try "
                "converting it to MP3 or WAV and upload it again."
            ),
        )
        return
    if not segments:
        _fail_and_delete(
            job,
            _(
                "No speech was found in the recording (only silence, music or noise). Check "
                "that the microphone was on, or upload a different file."
            ),
        )
        return
    _finish(job, segments)


def _fail_and_delete(job: GenerationJob, message: str) -> None:
    """Fail the job and delete its recording, if the job is still ours: a worker that lost
    its lease must not take the recording away from the one that runs the job now."""
    if job_fail(job, message):
        audio_delete(job)


def _transcribe(job: GenerationJob, path: Path) -> list[engine.Segment]:
    """Transcribe, streaming each segment to the job row (JSON lines) as it comes."""
    seconds, decoded = engine.transcribe(path, language=job.params.get("language") or None)
    total = max(seconds, 1.0)
    segments: list[engine.Segment] = []
    pending: list[engine.Segment] = []
    last_write = 0.0
    done_seconds = 0.0
    for segment in decoded:
        segments.append(segment)
        pending.append(segment)
        done_seconds = segment.end
        if segment.end > settings.AUDIO_MAX_SECONDS + 60:
            raise _LongerThanStated
        now = timezone.now().timestamp()
        if now - last_write >= PROGRESS_EVERY_SECONDS:
            _write_progress(job, pending, done_seconds, total)
            pending, last_write = [], now
    if pending:
        _write_progress(job, pending, done_seconds, total)
    return segments


def _write_progress(
    job: GenerationJob, pending: list[engine.Segment], done: float, total: float
) -> None:
    lines = "".join(
        json.dumps({"start": s.start, "end": s.end, "text": s.text}, ensure_ascii=False) + "\n"
        for s in pending
    )
    still_ours = job_heartbeat(
        job,
        progress=min(99, int(done / total * 100)),
        progress_note=_("%(done)s of %(total)s transcribed")
        % {"done": duration_text(min(done, total)), "total": duration_text(total)},
        partial_output=Concat(F("partial_output"), Value(lines)),
    )
    if not still_ours:
        raise _Cancelled


def _finish(job: GenerationJob, segments: list[engine.Segment]) -> None:
    """Mark the job done and store the transcript, both or neither, and only once."""
    turns = turns_from_segments(segments)
    try:
        with transaction.atomic():
            if not job_mark_done(job, model_name=engine.model_name()[:200], parts_total=1):
                return
            transcript = Transcript.objects.create(
                owner=job.owner,
                job=job,
                title=job.params.get("title", ""),
                language=job.params.get("language") or "",
                seconds=job.params.get("seconds", 0),
                turns=turns,
                model_name=engine.model_name()[:200],
            )
    except IntegrityError:
        logger.warning("transcription %s: already stored, second result dropped", job.pk)
        return
    audio_delete(job)  # stored: the recording goes now (the purge, should this process die)
    audit_record(
        actor=job.owner,
        action="assistant.transcribed",
        target=transcript,
        details={
            "model": engine.model_name(),
            "seconds": job.params.get("seconds", 0),
            "turns": len(turns),
            "took": round((timezone.now() - job.started_at).total_seconds(), 1)
            if job.started_at
            else None,
        },
    )


def streamed_segments(job: GenerationJob, after: int = 0) -> list[dict]:
    """The segments a running job has written so far, from the `after`-th on."""
    rows = []
    for line in job.partial_output.splitlines()[after:]:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        row["clock"] = clock(row.get("start", 0))
        rows.append(row)
    return rows


@transaction.atomic
def transcript_update(*, transcript: Transcript, turns: list[dict], by: User) -> None:
    """Store corrected turns (speakers and text; times stay as heard)."""
    transcript.turns = turns
    transcript.save(update_fields=["turns", "updated_at"])
    audit_record(
        actor=by,
        action="assistant.transcript_edited",
        target=transcript,
        details={"turns": len(turns)},
    )


@transaction.atomic
def transcript_delete(*, transcript: Transcript, by: User) -> None:
    audit_record(actor=by, action="assistant.transcript_deleted", target=transcript)
    transcript.delete()


def quote_times(transcript: Transcript | None, data: dict) -> dict[str, int]:
    """Where in the recording each verified quote of a protocol was said: {quote: second}."""
    if transcript is None:
        return {}
    keys = [(turn["start"], match_key(turn["text"])) for turn in transcript.turns]
    found = {}
    for section in ("decisions", "action_items"):
        for item in data.get(section) or []:
            quote = item.get("source_quote") or ""
            key = quote_key(quote)
            if not key or quote in found:
                continue
            for start, text in keys:
                if key in text:
                    found[quote] = int(start)
                    break
    return found


def audio_purge() -> int:
    """Delete recordings whose job is over or gone (the safety net behind the job's own
    delete); a file younger than an hour may belong to an upload being queued."""
    if not settings.AUDIO_DIR.is_dir():
        return 0
    waiting = set(
        GenerationJob.objects.filter(kind=TRANSCRIPT, status__in=GenerationJob.ACTIVE).values_list(
            "params__audio", flat=True
        )
    )
    settled = timezone.now() - timedelta(hours=1)
    deleted = 0
    for path in settings.AUDIO_DIR.iterdir():
        if path.name in waiting or not path.is_file():
            continue
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        if modified < settled:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
