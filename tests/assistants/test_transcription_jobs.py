"""Recordings to transcripts, end to end on the real faster-whisper with a tiny random model.

The model writes " lorem ipsum dolor" for each window of speech that Silero VAD (the real
one, shipped with faster-whisper) lets through: tests assert on structure and behaviour.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assistants.models import GenerationJob, Transcript
from assistants.services.jobs import job_cancel, job_claim, jobs_reap
from assistants.speech import engine, services
from portal.models import AuditEntry
from tests.assistants.audio import RATE, SPEECH, speech_samples, write_wav

pytestmark = pytest.mark.django_db
URL = "/assistenten/transkript/neu/"


@pytest.fixture(autouse=True)
def _audio_dir(settings, tmp_path: Path) -> Path:
    settings.AUDIO_DIR = tmp_path / "audio"
    return settings.AUDIO_DIR


def _submit(client, content: bytes, name: str = "jour-fixe.ogg", **fields) -> GenerationJob:
    data = {"title": "Jour fixe Vertrieb", "language": "de", "consent": "on", **fields}
    data["audio"] = SimpleUploadedFile(name, content)
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return GenerationJob.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def _long_speech(tmp_path: Path, times: int = 3) -> bytes:
    """The speech sample `times` over, with four seconds of silence between: several turns."""
    speech = speech_samples()
    gap = np.zeros(4 * RATE, np.float32)
    samples = np.concatenate([part for _ in range(times) for part in (speech, gap)])
    return write_wav(tmp_path / "lang.wav", samples).read_bytes()


def test_a_recording_becomes_a_transcript_and_the_recording_is_deleted(
    client, alice, settings
) -> None:
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    audio_file = settings.AUDIO_DIR / job.params["audio"]
    assert audio_file.is_file()

    services.transcription_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.partial_output == ""
    transcript = Transcript.objects.get(job=job)
    assert transcript.owner == alice and transcript.title == "Jour fixe Vertrieb"
    assert transcript.turns and all(t["text"].strip() for t in transcript.turns)
    assert all(0 <= t["start"] <= t["end"] <= 13.6 for t in transcript.turns)
    assert not audio_file.exists() and not any(settings.AUDIO_DIR.iterdir())
    page = client.get(f"/assistenten/auftraege/{job.pk}/").content.decode()
    assert (
        f"/assistenten/transkripte/{transcript.pk}/" in page and "Aufnahme wurde gelöscht" in page
    )


def test_segments_stream_into_the_job_row_as_they_come(client, alice, tmp_path, monkeypatch):
    client.force_login(alice)
    job = _submit(client, _long_speech(tmp_path, times=6), name="lang.wav")
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    seen: list[tuple[int, int, str]] = []
    transcribe = engine.transcribe

    def watched(path, **kwargs):
        seconds, segments = transcribe(path, **kwargs)

        def spy():
            for segment in segments:
                row = GenerationJob.objects.get(pk=job.pk)
                seen.append((len(row.partial_output.splitlines()), row.progress, row.progress_note))
                yield segment

        return seconds, spy()

    monkeypatch.setattr(engine, "transcribe", watched)

    services.transcription_job_run(job_id=job.pk)

    # Before the n-th segment is handed on, the n-1 before it are in the row, with progress.
    assert len(seen) >= 3
    assert [lines for lines, _, _ in seen] == list(range(len(seen)))
    assert seen[-1][1] > 0 and "von" in seen[-1][2] and "transkribiert" in seen[-1][2]


def test_the_job_page_sends_only_the_segments_not_shown_yet(client, alice) -> None:
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    lines = [json.dumps({"start": s, "end": s + 1, "text": f"Satz {s}"}) for s in (0, 5, 9)]
    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, partial_output="\n".join(lines) + "\n"
    )

    full = client.get(f"/assistenten/auftraege/{job.pk}/").content.decode()
    polled = client.get(f"/assistenten/auftraege/{job.pk}/?shown=2", HTTP_HX_REQUEST="true")

    assert all(f"Satz {s}" in full for s in (0, 5, 9)) and "?shown=3" in full
    polled = polled.content.decode()
    assert (
        "Satz 9" in polled
        and "Satz 5" not in polled
        and 'hx-swap-oob="beforeend:#segments"' in polled
    )
    assert "00:09" in polled


def test_cancel_stops_the_transcription_and_deletes_the_recording(
    client, alice, tmp_path, monkeypatch, settings
) -> None:
    client.force_login(alice)
    job = _submit(client, _long_speech(tmp_path), name="lang.wav")
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    transcribe = engine.transcribe

    def cancelled_after_first(path, **kwargs):
        seconds, segments = transcribe(path, **kwargs)

        def cancel_midway():
            for index, segment in enumerate(segments):
                if index == 1:
                    assert job_cancel(job=GenerationJob.objects.get(pk=job.pk), by=alice)
                yield segment

        return seconds, cancel_midway()

    monkeypatch.setattr(engine, "transcribe", cancelled_after_first)

    services.transcription_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "cancelled" and job.partial_output == ""
    assert not Transcript.objects.exists()
    assert not any(settings.AUDIO_DIR.iterdir())


def test_a_second_delivery_does_not_transcribe_twice(client, alice) -> None:
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())

    services.transcription_job_run(job_id=job.pk)
    services.transcription_job_run(job_id=job.pk)

    assert Transcript.objects.filter(job=job).count() == 1
    assert AuditEntry.objects.filter(action="assistant.transcribed").count() == 1


def test_a_worker_that_lost_its_job_stores_nothing(client, alice, settings) -> None:
    """The lease ran out and another worker took the job: the first one's result is dropped."""
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    first = job_claim(job_id=job.pk, worker="stt@a")
    GenerationJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now())
    second = job_claim(job_id=job.pk, worker="stt@b")
    assert first is not None and second is not None and second.attempts == 2

    services._run_claimed(first)

    assert not Transcript.objects.exists()
    assert GenerationJob.objects.get(pk=job.pk).status == "running"  # still the second's


def test_a_worker_that_lost_its_job_leaves_the_recording_to_the_new_one(
    client, alice, settings, monkeypatch
) -> None:
    """Worker A stalls, its lease runs out and B takes the job; when A notices (its next
    progress write is refused) it stops and must not delete B's recording."""
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    first = job_claim(job_id=job.pk, worker="stt@a")
    transcribe = engine.transcribe

    def taken_over(path, **kwargs):
        seconds, segments = transcribe(path, **kwargs)

        def after_takeover():
            GenerationJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now())
            assert job_claim(job_id=job.pk, worker="stt@b") is not None
            yield from segments

        return seconds, after_takeover()

    monkeypatch.setattr(engine, "transcribe", taken_over)

    services._run_claimed(first)

    assert (settings.AUDIO_DIR / job.params["audio"]).is_file()
    assert GenerationJob.objects.get(pk=job.pk).status == "running"  # B's now
    assert not Transcript.objects.exists()


def test_the_reaper_sends_a_dead_workers_transcription_back_to_the_stt_queue(
    client, alice, monkeypatch
) -> None:
    from assistants import tasks

    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    job_claim(job_id=job.pk, worker="stt@dead")
    GenerationJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    sent = {"stt": [], "llm": []}
    monkeypatch.setattr(tasks.transcription_job_run, "delay_on_commit", sent["stt"].append)
    monkeypatch.setattr(tasks.generation_job_run, "delay_on_commit", sent["llm"].append)

    assert jobs_reap()["requeued"] == 1

    assert sent == {"stt": [job.pk], "llm": []}
    assert tasks.transcription_job_run.name in _routes_to("stt")


def _routes_to(queue: str) -> set[str]:
    from django.conf import settings

    return {name for name, route in settings.CELERY_TASK_ROUTES.items() if route["queue"] == queue}


@pytest.mark.parametrize("kind", ["silence", "music"])
def test_silence_or_music_fails_with_a_message_and_leaves_nothing(
    client, alice, settings, tmp_path, kind
) -> None:
    client.force_login(alice)
    t = np.arange(10 * RATE) / RATE
    samples = (
        np.zeros(10 * RATE)
        if kind == "silence"
        else sum(0.15 * np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0))
    )
    job = _submit(client, write_wav(tmp_path / "x.wav", samples).read_bytes(), name="x.wav")

    services.transcription_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "keine Sprache gefunden" in job.error
    assert not Transcript.objects.exists() and not any(settings.AUDIO_DIR.iterdir())
    page = client.get(f"/assistenten/auftraege/{job.pk}/").content.decode()
    assert "keine Sprache gefunden" in page and "Aufnahme hochladen" in page


def test_a_recording_gone_from_disk_fails_with_a_message(client, alice, settings) -> None:
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    (settings.AUDIO_DIR / job.params["audio"]).unlink()

    services.transcription_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "nicht mehr auf dem Server" in job.error


def test_a_missing_model_fails_the_job_and_never_reaches_for_the_network(
    client, alice, settings, tmp_path
) -> None:
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    settings.STT_MODEL_PATH = tmp_path / "kein-modell"  # a name faster-whisper would download

    services.transcription_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "Sprachmodell" in job.error
    assert not any(settings.AUDIO_DIR.iterdir())


def test_a_recording_that_breaks_while_decoding_fails_clearly(
    client, alice, settings, monkeypatch
) -> None:
    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    path = settings.AUDIO_DIR / job.params["audio"]
    content = path.read_bytes()
    path.write_bytes(content[:4000] + bytes(np.random.default_rng(1).integers(0, 256, 30000)))

    services.transcription_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status in ("failed", "done")  # FFmpeg may read past the damage, or not
    if job.status == "failed":
        assert job.error and "Traceback" not in job.error
    assert not any(settings.AUDIO_DIR.iterdir())


def test_nothing_said_or_the_file_name_reaches_logs_or_audit(
    client, alice, caplog, tmp_path
) -> None:
    client.force_login(alice)
    caplog.set_level(logging.DEBUG)
    job = _submit(client, SPEECH.read_bytes(), name="Kündigung Herr Schmidt.ogg")

    services.transcription_job_run(job_id=job.pk)

    transcript = Transcript.objects.get(job=job)
    said = {t["text"] for t in transcript.turns}
    records = [json.dumps(e.details, ensure_ascii=False) for e in AuditEntry.objects.all()]
    records += [r.getMessage() for r in caplog.records]
    for record in records:
        assert "Schmidt" not in record and "Kündigung" not in record
        assert not any(text in record for text in said)
    transcribed = AuditEntry.objects.get(action="assistant.transcribed")
    assert transcribed.details["seconds"] == pytest.approx(13.5, abs=0.2)


def test_the_purge_deletes_left_over_recordings_but_not_waiting_ones(
    client, alice, settings
) -> None:
    client.force_login(alice)
    waiting = _submit(client, SPEECH.read_bytes())
    failed = _submit(client, SPEECH.read_bytes())
    GenerationJob.objects.filter(pk=failed.pk).update(status="failed")
    stray = settings.AUDIO_DIR / "0123abcd.upload"
    stray.write_bytes(b"x")
    old = (timezone.now() - timedelta(hours=2)).timestamp()
    for path in settings.AUDIO_DIR.iterdir():
        import os

        os.utime(path, (old, old))

    assert services.audio_purge() == 2

    assert [p.name for p in settings.AUDIO_DIR.iterdir()] == [waiting.params["audio"]]


def test_retention_deletes_old_transcripts(client, alice, settings) -> None:
    from assistants.services.retention import retention_purge

    client.force_login(alice)
    job = _submit(client, SPEECH.read_bytes())
    services.transcription_job_run(job_id=job.pk)
    Transcript.objects.update(created_at=timezone.now() - timedelta(days=31))
    settings.TRANSCRIPT_RETENTION_DAYS = 30

    counts = retention_purge()

    assert counts["transcripts_deleted"] == 1 and not Transcript.objects.exists()
