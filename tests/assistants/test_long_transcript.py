"""A 200,000-character transcript, the form's limit, runs with the default settings."""

from __future__ import annotations

import pytest

from assistants.models import GenerationJob, ProtocolTemplate
from assistants.services.generation import generation_job_run

pytestmark = pytest.mark.django_db


def test_the_longest_transcript_the_form_accepts_runs_to_a_protocol(
    client, alice, settings, tiny_chat_model, django_capture_on_commit_callbacks
) -> None:
    settings.LLM_MODEL_PATH = tiny_chat_model
    settings.LLM_DEMO_MODEL = False
    settings.LLM_N_THREADS = 2
    # The default context and part limit; shorter answers than the default 1,024 tokens keep
    # the random model's 80-odd parts to about half a minute (the limit is about parts).
    settings.LLM_MAX_OUTPUT_TOKENS = 256
    lines, size, i = [], 0, 0
    while size < settings.TRANSCRIPT_MAX_CHARS - 200:
        speaker = "Anna Müller" if i % 2 else "Bernd Schulz"
        line = f"{speaker}: Punkt {i}: Lager, Schichtplan, Schulung."
        lines.append(line)
        size += len(line) + 1
        i += 1
    text = "\n".join(lines)
    client.force_login(alice)
    form = {
        "title": "Klausur",
        "meeting_date": "2026-11-20",
        "output_language": "de",
        "template": ProtocolTemplate.objects.get(key="ergebnisprotokoll").pk,
        "transcript": text,
    }
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post("/assistenten/protokoll/neu/", form).status_code == 302
    job = GenerationJob.objects.get()

    generation_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert job.parts_total > 12  # the old limit
    assert str(job.parts_total) in job.condensed_note
