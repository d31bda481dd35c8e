"""A real llm worker killed with SIGKILL mid-generation: another worker takes the job over
within its lease plus the reaper's period (measured, on real workers and beat), and the job
still finishes exactly once.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from assistants.gguf_models import write_chat_model
from assistants.models import GenerationJob, Protocol
from assistants.tasks import generation_job_run
from portal.celery import app
from tests.processes import stop_group, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _env(model: Path) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    # Every periodic task but the job reaper off: this beat is here for the reaper alone.
    names = re.findall(r"^(PORTAL_CRON_\w+)=", (ROOT / ".env.example").read_text(), re.M)
    env.update({name: "off" for name in names if name != "PORTAL_CRON_JOB_REAPER"})
    env.update(
        PORTAL_DEBUG="true",
        PORTAL_DATA_DIR=str(settings.DATA_DIR),
        PORTAL_DATABASE_URL=f"postgres://postgres@/{db['NAME']}?host={db['HOST']}",
        PORTAL_LLM_MODEL_PATH=str(model),
        PORTAL_LLM_N_THREADS="1",
        PORTAL_LLM_N_CTX="4096",
        # Enough to be caught mid-stream, little enough to finish quickly on a busy machine.
        PORTAL_LLM_MAX_OUTPUT_TOKENS="400",
        # Full speed even when the machine is busy: the test measures the lease, not the
        # model's manners (assistants/cpu_share.py, worker.py).
        PORTAL_LLM_BUSY_SHARE_PERCENT="100",
        PORTAL_LLM_NICE="0",
    )  # the job lease and the reaper's period keep their defaults: they are what is measured
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", *args, "-l", "info"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a SIGKILL takes the pool child too
    )  # fmt: skip


def _worker(name: str, queues: str) -> list[str]:
    return [
        "worker", "-Q", queues, "-c", "1", "-n", f"{name}@%h", "--without-mingle",
        "--without-gossip",
    ]  # fmt: skip


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sigkilled_worker_job_is_taken_over_within_seconds_and_finishes_once(
    alice, tmp_path
) -> None:
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
    with app.connection_for_write() as broker:  # no leftovers of other tests for these workers
        for queue in ("llm", "llm-first", "default"):
            broker.default_channel.queue_purge(queue)

    env = _env(model)
    logs = {name: tmp_path / f"{name}.log" for name in ("first", "second", "reaper", "beat")}
    # Everything runs before the job starts, as in production: the second llm worker waits,
    # a default worker runs beat's reaper. Only the first listens on "llm-first".
    first = _start(_worker("llm-first", "llm,llm-first"), env, logs["first"])
    second = _start(_worker("llm-second", "llm"), env, logs["second"])
    reaper = _start(_worker("reaper", "default"), env, logs["reaper"])
    beat = _start(["beat", "-s", str(tmp_path / "beat-schedule")], env, logs["beat"])
    every_log = list(logs.values())
    try:
        for name in ("first", "second", "reaper"):
            wait_for(lambda n=name: "ready." in logs[n].read_text(), 180, name, *every_log)
        # What job_enqueue does, addressed to the first worker.
        GenerationJob.objects.filter(pk=job.pk).update(enqueued_at=job.created_at)
        generation_job_run.apply_async((job.pk,), queue="llm-first")
        wait_for(
            lambda: (
                GenerationJob.objects.filter(pk=job.pk, status="running")
                .exclude(partial_output="")
                .exists()
            ),
            300,
            "the first worker to stream",
            *every_log,
        )
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker: main process and pool child
        killed = time.monotonic()
        first.wait(timeout=30)
        job.refresh_from_db()
        assert job.status == GenerationJob.Status.RUNNING and job.attempts == 1

        wait_for(
            lambda: GenerationJob.objects.filter(pk=job.pk, attempts=2).exists(),
            300,
            "the second worker to take the job over",
            *every_log,
        )
        recovered = time.monotonic() - killed
        print(f"\ngeneration job: a SIGKILLed worker's job recovered in {recovered:.1f} s")
        wait_for(
            lambda: GenerationJob.objects.get(pk=job.pk).status not in GenerationJob.ACTIVE,
            600,
            "the second worker to finish",
            *every_log,
        )
    finally:
        stop_group(first, signal.SIGKILL)
        for process in (second, reaper, beat):
            stop_group(process, signal.SIGTERM)
    # The job's lease (30 s) plus the reaper's period (10 s): well under a minute.
    assert recovered < 50, f"recovery took {recovered:.1f} s"
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert job.attempts == 2
    assert Protocol.objects.filter(job=job).count() == 1
