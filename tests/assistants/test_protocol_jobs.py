"""The protocol generator end to end, on the real llama.cpp with a tiny random model.

The model's output is gibberish: these tests assert on structure and behaviour only.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from assistants import schema
from assistants.llm import get_backend
from assistants.models import GenerationJob, Protocol
from assistants.services.generation import generation_job_run
from assistants.services.jobs import job_cancel, job_claim, jobs_reap
from assistants.tasks import generation_job_run as generation_job_run_task
from portal.models import AuditEntry

TRANSCRIPT = (
    "Anna Müller: Guten Morgen, wir sprechen heute über den Pilot mit dem Protokollgenerator.\n"
    "Bernd Schulz: Ich schlage vor, dass wir im Vertrieb mit drei Teams starten.\n"
    "Anna Müller: Einverstanden. Wir beschließen den Start am 1. Dezember.\n"
    "Bernd Schulz: Ich kümmere mich bis Freitag um die Schulungstermine.\n"
)


@pytest.fixture
def model(settings, tiny_chat_model):
    settings.LLM_MODEL_PATH = tiny_chat_model
    settings.LLM_DEMO_MODEL = False
    settings.LLM_N_CTX = 2048
    settings.LLM_N_THREADS = 2
    settings.LLM_MAX_OUTPUT_TOKENS = 1024
    return tiny_chat_model


def _form(**overrides) -> dict:
    from assistants.models import ProtocolTemplate

    data = {
        "title": "Pilot Protokollgenerator",
        "meeting_date": "2026-11-20",
        "participants_other": "Anna Müller, Bernd Schulz",
        "output_language": "de",
        "template": ProtocolTemplate.objects.get(key="ergebnisprotokoll").pk,
        "transcript": TRANSCRIPT,
    }
    data.update(overrides)
    return data


def _submit(client, django_capture_on_commit_callbacks, **overrides) -> GenerationJob:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/assistenten/protokoll/neu/", _form(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(callbacks) == 1  # the wake-up call leaves only after the commit
    return GenerationJob.objects.latest("pk")


@pytest.mark.django_db
def test_full_job_from_form_to_protocol(client, alice, model, django_capture_on_commit_callbacks):
    client.force_login(alice)
    job = _submit(client, django_capture_on_commit_callbacks)
    assert job.status == GenerationJob.Status.QUEUED
    assert job.params["participants"] == ["Anna Müller", "Bernd Schulz"]
    page = client.get(f"/assistenten/auftraege/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page  # polls while it waits

    generation_job_run_task(job.pk)  # what the llm worker runs

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert job.attempts == 1
    assert job.completion_tokens > 0 and job.prompt_tokens > 0
    assert job.first_token_at and job.finished_at >= job.first_token_at
    protocol = Protocol.objects.get(job=job)
    parsed = schema.ProtocolDraft.model_validate(protocol.data)  # valid although the model babbles
    assert protocol.schema_version == schema.SCHEMA_VERSION
    assert all(isinstance(d.verified, bool) for d in parsed.decisions)
    fragment = client.get(
        f"/assistenten/auftraege/{job.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "every 1s" not in fragment  # finished: the fragment stops polling
    assert f"/assistenten/protokolle/{protocol.pk}/" in fragment
    assert client.get(f"/assistenten/protokolle/{protocol.pk}/").status_code == 200
    entry = AuditEntry.objects.get(action="assistant.protocol_generated")
    assert TRANSCRIPT[:20] not in str(entry.details)  # figures only, never content
    assert entry.details["completion_tokens"] == job.completion_tokens
    assert entry.details["assistant"] == "protocol" and entry.details["model"] == model.name
    assert entry.actor == alice and entry.details["seconds"] >= 0
    # Provenance on the protocol itself.
    assert (protocol.model_name, protocol.template.key, protocol.prompt_version) == (
        model.name,
        "ergebnisprotokoll",
        "1",
    )


@pytest.mark.django_db
def test_delivered_twice_stores_one_protocol(
    client, alice, model, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    job = _submit(client, django_capture_on_commit_callbacks)
    generation_job_run(job_id=job.pk)
    generation_job_run(job_id=job.pk)  # a redelivered message: claim fails, nothing happens
    assert Protocol.objects.filter(job=job).count() == 1
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db
def test_a_stale_worker_cannot_write_after_its_job_was_requeued(alice, model, settings):
    from tests.factories import protocol_for

    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice, template=done.template, input_text=TRANSCRIPT, params=done.job.params
    )
    first = job_claim(job_id=job.pk, worker="w1")
    GenerationJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert jobs_reap()["requeued"] == 1
    generation_job_run(job_id=job.pk)  # attempt 2 finishes
    from assistants.kinds import Generated, job_kind
    from assistants.services.generation import _finish

    _finish(
        first,
        job_kind(job.kind),
        Generated(schema.ProtocolDraft.model_validate(done.data).model_dump(mode="json")),
        get_backend(),
    )  # attempt 1 wakes up late: its write is refused
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE and job.attempts == 2
    assert Protocol.objects.filter(job=job).count() == 1


@pytest.mark.django_db
def test_long_transcript_is_split_and_says_so(
    client, alice, model, settings, django_capture_on_commit_callbacks
):
    settings.LLM_N_CTX = 2048
    settings.LLM_MAX_OUTPUT_TOKENS = 700
    long_text = "\n".join(
        f"{'Anna' if i % 2 else 'Bernd'}: Punkt {i}: Wir besprechen die Schulungsplanung "
        f"für Team {i} und die Auswertung der Pilotphase im Vertrieb."
        for i in range(40)
    )
    client.force_login(alice)
    job = _submit(client, django_capture_on_commit_callbacks, transcript=long_text)
    generation_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert job.parts_total > 1
    assert str(job.parts_total) in job.condensed_note
    schema.ProtocolDraft.model_validate(job.protocol.data)
    page = client.get(f"/assistenten/protokolle/{job.protocol.pk}/").content.decode()
    assert job.condensed_note[:30] in page


@pytest.mark.django_db
def test_text_too_long_even_for_parts_fails_clearly(alice, model, settings):
    from tests.factories import protocol_for

    settings.LLM_N_CTX = 2048
    settings.LLM_MAX_OUTPUT_TOKENS = 700
    settings.TRANSCRIPT_MAX_PARTS = 2
    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice,
        template=done.template,
        params=done.job.params,
        input_text="Anna: " + "Sehr lange Rede. " * 3000,
    )
    generation_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert "2" in job.error and not Protocol.objects.filter(job=job).exists()


@pytest.mark.django_db
def test_cancel_while_waiting(client, alice, model, django_capture_on_commit_callbacks):
    client.force_login(alice)
    job = _submit(client, django_capture_on_commit_callbacks)
    assert client.post(f"/assistenten/auftraege/{job.pk}/abbrechen/").status_code == 302
    generation_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED
    assert not Protocol.objects.filter(job=job).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancel_stops_a_running_generation(alice, settings, tmp_path):
    from assistants.gguf_models import write_chat_model
    from tests.factories import protocol_for

    # A slower model and a long answer, so that the cancel lands mid-generation.
    settings.LLM_MODEL_PATH = write_chat_model(
        tmp_path / "slow.gguf", n_embd=256, n_layer=6, n_head=8, n_head_kv=4, n_ff=512
    )
    settings.LLM_N_CTX, settings.LLM_MAX_OUTPUT_TOKENS, settings.LLM_N_THREADS = 4096, 3000, 1
    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice, template=done.template, params=done.job.params, input_text=TRANSCRIPT
    )

    def run() -> None:
        try:
            generation_job_run(job_id=job.pk)
        finally:
            connection.close()  # as Celery does after each task

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 60
    while not GenerationJob.objects.filter(pk=job.pk).exclude(partial_output="").exists():
        assert time.monotonic() < deadline and worker.is_alive(), "generation never streamed"
        time.sleep(0.05)
    job.refresh_from_db()
    assert job_cancel(job=job, by=alice)
    worker.join(timeout=30)
    assert not worker.is_alive()
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED
    assert job.partial_output == ""
    assert not Protocol.objects.filter(job=job).exists()


@pytest.mark.django_db
def test_reaper_fails_a_job_that_keeps_crashing(alice, model, settings):
    from tests.factories import protocol_for

    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice,
        template=done.template,
        params=done.job.params,
        input_text=TRANSCRIPT,
        status=GenerationJob.Status.RUNNING,
        attempts=settings.LLM_JOB_MAX_ATTEMPTS,
        lease_expires_at=timezone.now() - timedelta(seconds=5),
    )
    assert jobs_reap()["failed"] == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert job.error


def test_reaper_runs_every_ten_seconds_so_a_dead_workers_job_is_back_within_a_minute(settings):
    from portal.celery import app

    entry = app.conf.beat_schedule["generation-jobs-reap"]
    assert entry["schedule"] == timedelta(seconds=10)
    assert entry["options"]["expires"] < 10  # a message that waited a period is dropped
    assert settings.LLM_JOB_LEASE_SECONDS + 10 < 60


@pytest.mark.django_db
def test_reaper_resends_jobs_whose_message_was_lost(
    alice, model, settings, django_capture_on_commit_callbacks
):
    from tests.factories import protocol_for

    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice,
        template=done.template,
        params=done.job.params,
        input_text=TRANSCRIPT,
        enqueued_at=timezone.now() - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=False):
        # No transaction around the reaper in production: delay_on_commit sends at once.
        from django.db import transaction

        with transaction.atomic():
            result = jobs_reap()
    assert result["resent"] == 1
    job.refresh_from_db()
    assert job.enqueued_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db
def test_broken_model_file_fails_the_job_with_a_message(alice, model, settings, tmp_path, caplog):
    from tests.factories import protocol_for

    broken = tmp_path / "kaputt.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    settings.LLM_MODEL_PATH = broken
    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice, template=done.template, params=done.job.params, input_text=TRANSCRIPT
    )
    generation_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED  # not left running for the reaper
    assert job.error
    assert TRANSCRIPT[:15] not in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lease_is_renewed_while_the_model_reads_a_long_prompt(alice, model, settings, monkeypatch):
    from assistants.services import jobs
    from tests.factories import protocol_for

    settings.LLM_JOB_LEASE_SECONDS = 3  # renewed every second
    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice, template=done.template, params=done.job.params, input_text=TRANSCRIPT
    )
    job = job_claim(job_id=job.pk, worker="w1")
    first_lease = job.lease_expires_at
    renewals = []

    def database_away_once(job: GenerationJob, **progress) -> bool:
        renewals.append(job.pk)
        if len(renewals) == 1:
            raise OperationalError("the database went away for a moment")
        return heartbeat(job, **progress)

    heartbeat = jobs.job_heartbeat
    monkeypatch.setattr(jobs, "job_heartbeat", database_away_once)
    renewed = GenerationJob.objects.filter(pk=job.pk, lease_expires_at__gt=first_lease)
    with jobs.job_lease_kept(job):  # no token yet: only the keeper renews
        deadline = time.monotonic() + 60
        while not renewed.exists():
            assert time.monotonic() < deadline, "the keeper never renewed the lease"
            time.sleep(0.1)
    assert len(renewals) >= 2  # a failed renewal did not stop the keeper


@pytest.mark.django_db
def test_a_job_whose_kind_is_gone_fails_with_a_message(alice):
    """An app that registered a kind was removed while its job waited: no crash, no retry."""
    job = GenerationJob.objects.create(owner=alice, kind="gone", input_text="Text", params={})
    generation_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED and job.attempts == 1
    assert job.error == "Diese Art von Auftrag gibt es auf diesem Server nicht mehr."
