"""`make run`'s stack heals itself: each of its processes SIGKILLed in turn comes back, the
web server answers all along, and a process that keeps crashing is named on /healthz."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from portal import stack as embedded
from portal.supervisor import status_path
from tests.e2e.live import LiveStack, live_stack_create

pytestmark = pytest.mark.slow


@pytest.fixture
def live() -> Iterator[LiveStack]:
    # Two restarts in a row within 10 minutes, then a process is given up (the crash loop below).
    stack = live_stack_create(PORTAL_STACK_MAX_RESTARTS="2", PORTAL_STACK_STABLE_SECONDS="600")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(stack.data_dir, ignore_errors=True)
        stack.log.unlink(missing_ok=True)


def _processes(stack: LiveStack) -> dict[str, dict]:
    return json.loads(status_path(stack.data_dir).read_text())["processes"]


def _wait(condition: Callable[[], bool], stack: LiveStack, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{stack.tail()}")
        time.sleep(0.2)


def _page_answers(stack: LiveStack) -> bool:
    try:
        url = f"{stack.base_url}/accounts/login/"
        with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - our own http URL
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _kill_and_wait_for_restart(stack: LiveStack, name: str, restarts: int) -> None:
    before = _processes(stack)[name]
    os.kill(before["pid"], signal.SIGKILL)  # the main process only, as a crash would
    _wait(
        lambda: (p := _processes(stack)[name])["state"] == "running" and p["restarts"] == restarts,
        stack,
        f"{name} to be restarted",
    )
    after = _processes(stack)[name]
    assert after["pid"] != before["pid"] and after["last_exit"] == "was killed by SIGKILL"


def _redis_key(stack: LiveStack, value: str | None = None) -> str | None:
    """Write (and make durable) or read a key in the stack's embedded Redis."""
    import redis

    client = redis.Redis(unix_socket_path=str(embedded.redis_socket(stack.data_dir / "redis")))
    try:
        if value is None:
            found = client.get("supervision-probe")
            return found.decode() if found else None
        client.set("supervision-probe", value)
        client.bgrewriteaof()  # an append-only file with the key, on disk before the kill
        _wait(
            lambda: (
                not any(
                    int(client.info("persistence")[k])
                    for k in ("aof_rewrite_in_progress", "aof_rewrite_scheduled")
                )
            ),
            stack,
            "the append-only file to be rewritten",
        )
        return value
    finally:
        client.close()


def test_every_process_comes_back_and_the_web_stays_up(live: LiveStack) -> None:
    web_pid = _processes(live)["web"]["pid"]
    _redis_key(live, "kept")

    for name in ("redis", "worker-default", "worker-llm", "worker-stt", "beat"):
        _kill_and_wait_for_restart(live, name, restarts=1)
        assert _page_answers(live), f"the web server must answer while {name} restarts"
        # Both workers answer through the (new) broker again: they reconnected or restarted.
        live.wait_healthy(180)
    assert _processes(live)["web"]["pid"] == web_pid, "no fault above may touch the web server"
    assert _redis_key(live) == "kept", "Redis restarts on the same socket with its data"

    _kill_and_wait_for_restart(live, "web", restarts=1)
    live.wait_healthy(180)

    # A crash loop: beat dies again right after each restart, and is given up after two.
    _kill_and_wait_for_restart(live, "beat", restarts=2)
    os.kill(_processes(live)["beat"]["pid"], signal.SIGKILL)
    _wait(lambda: _processes(live)["beat"]["state"] == "failed", live, "beat to be given up")
    status, report = live.health()
    assert status == 503 and report["processes"]["beat"] == "failed", report
    assert report["workers"] == {"default": "ok", "llm": "ok", "stt": "ok"}, report
    assert _page_answers(live), "the portal still serves pages"
    log = live.tail(20_000)
    assert "beat was killed by SIGKILL; restarting it in 1 s (try 1 of 2)" in log
    assert "beat was killed by SIGKILL and keeps crashing" in log

    live.stop()
    assert live.process is not None and live.process.returncode == 0
    assert "All processes stopped." in live.tail()
    assert not status_path(live.data_dir).exists()
