"""A real worker outlives a Redis restart under a running task: it reconnects and runs the next
task (issue 21; kombu's Redis transport used to end it with an AttributeError, portal/broker.py).

The worker gets a Redis of its own: the session's shared Redis is never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from portal import stack
from portal.models import Invitation, User

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def redis_dir() -> Iterator[Path]:
    # Short, under /tmp: unix socket paths are limited to ~107 bytes.
    path = Path(tempfile.mkdtemp(prefix="portal-broker-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _worker(sock: Path, log: Path) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DEBUG="true",  # mails go to the console, that is the worker's log
        PORTAL_DATA_DIR=str(settings.DATA_DIR),
        PORTAL_DATABASE_URL=f"postgres://postgres@/{db['NAME']}?host={db['HOST']}",
        PORTAL_REDIS_URL=f"unix://{sock}",
    )
    # Two pool processes: while one runs the held task, the consumer waits in BRPOP for the
    # other's next message. Redis going away in that state is what crashed the worker.
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "default"]
    command += ["-c", "2", "-n", "broker-restart@%h", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(
        [*command, "-l", "info"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(
    condition: Callable[[], bool], worker: subprocess.Popen, log: Path, what: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.poll() is not None:
            raise AssertionError(f"the worker died waiting for {what}:\n{log.read_text()[-6000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-6000:]}")
        time.sleep(0.2)


def _client(sock: Path) -> Celery:
    """Return a Celery client of the worker's Redis (the tests' app talks to the session's)."""
    client = Celery("broker-restart", set_as_current=False)
    client.conf.update(
        broker_url=f"redis+socket://{sock}?virtual_host=0",
        broker_pool_limit=0,  # a new connection each time: the old ones die with Redis
        task_serializer="json",
        accept_content=["json"],
    )
    return client


def _worker_answers(client: Celery) -> bool:
    """Return whether the worker's consumer is connected: it answers a ping through Redis."""
    try:
        return bool(client.control.ping(timeout=1))
    except (OperationalError, RedisConnectionError):
        return False  # Redis is still loading its data


def _send_invitation(client: Celery, invitation: Invitation) -> None:
    client.send_task("portal.tasks.invitation_send", args=[invitation.pk], queue="default")


def _invitation(by: User, email: str) -> Invitation:
    return Invitation.objects.create(
        email=email, invited_by=by, expires_at=timezone.now() + timedelta(days=1)
    )


def _task_waits_for_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh values within a transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_worker_survives_redis_restart_under_a_running_task(
    ada: User, redis_dir: Path, tmp_path: Path, how: str
) -> None:
    held = _invitation(ada, "held@firma.test")
    after = _invitation(ada, "after@firma.test")
    sock = stack.redis_socket(redis_dir)
    redis = stack.start_redis(redis_dir)
    client = _client(sock)
    log = tmp_path / "worker.log"
    worker = _worker(sock, log)
    try:
        _wait(lambda: _worker_answers(client), worker, log, "the worker to start", 120)

        with transaction.atomic():
            # The task's first query waits for this lock: it runs while Redis goes away.
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE portal_invitation IN ACCESS EXCLUSIVE MODE")
            _send_invitation(client, held)
            _wait(_task_waits_for_lock, worker, log, "the task to wait for the lock", 120)

            if how == "SIGKILL":
                redis.kill()
                redis.wait()
            else:
                stack.stop_redis(redis)  # a clean shutdown
            redis = stack.start_redis(redis_dir)  # on the same socket, with its data
            _wait(lambda: _worker_answers(client), worker, log, "the worker to reconnect", 120)

        _wait(
            lambda: f"invitation {held.pk} mailed" in log.read_text(),
            worker,
            log,
            "the held task to finish",
            120,
        )
        _send_invitation(client, after)
        _wait(
            lambda: f"invitation {after.pk} mailed" in log.read_text(),
            worker,
            log,
            "a task sent after the restart to run",
            120,
        )
        assert worker.poll() is None
        assert "Unrecoverable error" not in log.read_text()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        stack.stop_redis(redis)
        client.close()
