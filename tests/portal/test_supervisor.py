"""The supervisor of `runstack` with real processes: restart with backoff, give up on a crash
loop, kill a dead child's own children, and report it all on /healthz."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from portal.supervisor import FAILED, RUNNING, Supervisor, read_status, status_path

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
# A process that starts a child of its own (like a Celery worker its pool), then sleeps.
PARENT = [
    sys.executable,
    "-c",
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(600)\n",
]


def _spawn(command: list[str], **kwargs) -> Callable[[], subprocess.Popen]:
    return lambda: subprocess.Popen(command, start_new_session=True, **kwargs)


def _until(condition: Callable[[], bool], supervisor: Supervisor, timeout: float = 60) -> None:
    """Drive the supervisor as runstack does until `condition` holds (generous deadline)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out; states: {_states(supervisor)}"
        supervisor.poll()
        time.sleep(0.05)


def _states(supervisor: Supervisor) -> dict[str, str]:
    return {child.name: child.state for child in supervisor.children}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def supervisor(tmp_path) -> Iterator[Supervisor]:
    said: list[str] = []
    own = Supervisor(
        status_file=status_path(tmp_path),
        say=said.append,
        max_restarts=3,
        stable_after=30,
        backoff_first=0.2,
        backoff_max=1,
    )
    own.said = said  # type: ignore[attr-defined]
    try:
        yield own
    finally:
        own.stop_all(timeout=10)


def test_killed_child_comes_back_and_the_others_run_on(supervisor) -> None:
    worker = supervisor.add("worker", _spawn(SLEEPER))
    web = supervisor.add("web", _spawn(SLEEPER))
    first, web_pid = worker.proc.pid, web.proc.pid

    os.kill(first, signal.SIGKILL)
    _until(lambda: worker.state == RUNNING and worker.proc.pid != first, supervisor)

    assert _alive(worker.proc.pid) and worker.restarts == 1
    assert web.proc.pid == web_pid and _alive(web_pid), "the web server must not be touched"
    assert supervisor.said[0] == "worker was killed by SIGKILL; restarting it in 0.2 s (try 1 of 3)"
    assert supervisor.said[1] == f"worker restarted (pid {worker.proc.pid})"
    status = json.loads(supervisor.status_file.read_text())
    assert status["processes"]["worker"] == {
        "state": "running",
        "pid": worker.proc.pid,
        "restarts": 1,
        "last_exit": "was killed by SIGKILL",
    }


def test_crash_loop_backs_off_then_gives_up(supervisor) -> None:
    crashing = supervisor.add("beat", _spawn([sys.executable, "-c", "raise SystemExit(3)"]))
    web = supervisor.add("web", _spawn(SLEEPER))
    _until(lambda: crashing.state == FAILED, supervisor)

    assert crashing.restarts == 3, "three restarts, then it stays stopped"
    assert [line.split(";")[1] for line in supervisor.said if "restarting" in line] == [
        " restarting it in 0.2 s (try 1 of 3)",
        " restarting it in 0.4 s (try 2 of 3)",
        " restarting it in 0.8 s (try 3 of 3)",
    ]
    assert "keeps crashing" in supervisor.said[-1] and "exited with code 3" in supervisor.said[-1]
    assert _alive(web.proc.pid)
    time.sleep(1.5)  # longer than any backoff: a given-up child is not started again
    supervisor.poll()
    assert crashing.state == FAILED and crashing.restarts == 3
    status = read_status(supervisor.status_file)
    assert status is not None
    assert status["processes"]["beat"]["state"] == "failed"
    assert status["processes"]["web"]["state"] == "running"


def test_a_child_that_ran_long_enough_starts_counting_again(supervisor) -> None:
    supervisor.stable_after = 0.5
    worker = supervisor.add("worker", _spawn(SLEEPER))
    for n in range(5):  # more kills than max_restarts, each after a stable run
        pid = worker.proc.pid
        time.sleep(0.6)
        os.kill(pid, signal.SIGKILL)
        _until(lambda p=pid: worker.state == RUNNING and worker.proc.pid != p, supervisor)
        assert worker.quick_exits == 1, f"kill {n}: a stable run resets the count"
    assert worker.restarts == 5


def test_children_of_a_dead_process_are_killed_with_it(supervisor) -> None:
    worker = supervisor.add("worker", _spawn(PARENT, stdout=subprocess.PIPE, text=True))
    pool = int(worker.proc.stdout.readline())
    assert _alive(pool)

    os.kill(worker.proc.pid, signal.SIGKILL)  # the main process dies, its pool would linger
    _until(lambda: worker.restarts == 1, supervisor)

    deadline = time.monotonic() + 30
    while _alive(pool):
        assert time.monotonic() < deadline, "the dead worker's pool process still runs"
        time.sleep(0.05)


def test_a_start_that_fails_counts_as_a_crash(supervisor) -> None:
    attempts = []

    def start() -> subprocess.Popen:
        attempts.append(1)
        if len(attempts) > 1:
            raise RuntimeError("socket still in use")
        return subprocess.Popen(SLEEPER, start_new_session=True)

    redis = supervisor.add("redis", start)
    os.kill(redis.proc.pid, signal.SIGKILL)
    _until(lambda: redis.state == FAILED, supervisor)
    assert "redis did not start: socket still in use" in supervisor.said
    assert len(attempts) == 4


def test_stop_all_stops_in_reverse_order_and_removes_the_status(supervisor) -> None:
    order: list[str] = []

    def stop(name: str) -> Callable[[subprocess.Popen], None]:
        def _stop(proc: subprocess.Popen) -> None:
            order.append(name)
            proc.terminate()
            proc.wait(timeout=30)

        return _stop

    procs = [supervisor.add(n, _spawn(SLEEPER), stop=stop(n)).proc for n in ("redis", "web")]
    assert supervisor.status_file.exists()
    supervisor.stop_all()
    assert order == ["web", "redis"]
    assert all(p.poll() is not None for p in procs)
    assert not supervisor.status_file.exists()


def test_a_stale_status_file_is_ignored(tmp_path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = status_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"pid": dead.pid, "processes": {"beat": {"state": "failed"}}}))
    assert read_status(path) is None, "left behind by a runstack that died"
    path.write_text("{not json")
    assert read_status(path) is None


@pytest.mark.django_db
def test_health_names_a_process_that_keeps_crashing(client, settings) -> None:
    path = status_path(settings.DATA_DIR)
    path.parent.mkdir(parents=True, exist_ok=True)
    processes = {"worker-llm": {"state": "running"}, "beat": {"state": "failed"}}
    path.write_text(json.dumps({"pid": os.getpid(), "processes": processes}))
    try:
        response = client.get("/healthz")
    finally:
        path.unlink()
    assert response.status_code == 503
    assert response.json()["processes"] == {"worker-llm": "running", "beat": "failed"}
    assert response.json()["status"] == "degraded"
    assert "processes" not in client.get("/healthz").json(), "no runstack, no process list"
