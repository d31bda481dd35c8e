"""A real llm worker killed with SIGKILL mid-generation: the job still finishes exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from assistants.gguf_models import write_chat_model
from assistants.models import GenerationJob, Protocol
from assistants.services.jobs import job_enqueue, jobs_reap

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 10


def _worker(model: Path, name: str, log: Path) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DEBUG="true",
        PORTAL_DATA_DIR=str(settings.DATA_DIR),
        PORTAL_DATABASE_URL=f"postgres://postgres@/{db['NAME']}?host={db['HOST']}",
        PORTAL_LLM_MODEL_PATH=str(model),
        PORTAL_LLM_N_THREADS="1",
        PORTAL_LLM_N_CTX="4096",
        PORTAL_LLM_MAX_OUTPUT_TOKENS="2500",
        PORTAL_LLM_JOB_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "llm",
            "-c",
            "1",
            "-n",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigkilled_worker_job_finishes_once_after_restart(alice, tmp_path) -> None:
    from tests.factories import protocol_for

    model = write_chat_model(
        tmp_path / "slow.gguf", n_embd=256, n_layer=6, n_head=8, n_head_kv=4, n_ff=512
    )
    _, done = protocol_for(alice)
    job = GenerationJob.objects.create(
        owner=alice,
        template=done.template,
        params=done.job.params,
        input_text="\n".join(
            f"Anna: Punkt {i} zur Schulungsplanung im Vertrieb." for i in range(40)
        ),
    )
    job_enqueue(job)  # no transaction here: the message goes to the real Redis now

    cache.delete("assistants:model-status")
    log = tmp_path / "worker1.log"
    first = _worker(model, "llm-first", log)
    try:
        # The llm worker loads the model when its process starts, before any task.
        _wait(
            lambda: (cache.get("assistants:model-status") or {}).get("model") == "slow.gguf",
            60,
            "the model to be preloaded",
            log,
        )
        _wait(
            lambda: (
                GenerationJob.objects.filter(pk=job.pk, status="running").exists()
                and GenerationJob.objects.get(pk=job.pk).partial_output != ""
            ),
            120,
            "the first worker to stream",
            log,
        )
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker: main process and pool child
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.RUNNING and job.attempts == 1
    time.sleep(LEASE_SECONDS + 1)  # the dead worker's lease runs out
    assert jobs_reap()["requeued"] == 1  # what beat's reaper does every minute

    log2 = tmp_path / "worker2.log"
    second = _worker(model, "llm-second", log2)
    try:
        _wait(
            lambda: GenerationJob.objects.get(pk=job.pk).status not in GenerationJob.ACTIVE,
            180,
            "the second worker to finish",
            log2,
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert job.attempts == 2
    assert Protocol.objects.filter(job=job).count() == 1
