"""`make run`'s command on its own data directory: up, demo, healthy, Ctrl-C, and up again."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DEBUG="true", PORTAL_DATA_DIR=str(data_dir), PORTAL_LLM_N_THREADS="1")
    return subprocess.Popen(
        [sys.executable, "manage.py", "runstack", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait_healthy(port: int, proc: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                return json.load(r)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise AssertionError("portal did not become healthy:\n" + log.read_text()[-3000:])


def _wait_for_banner(log: Path) -> str:
    deadline = time.monotonic() + 120
    while "Ctrl-C stops everything" not in (output := log.read_text()):
        assert time.monotonic() < deadline, output[-3000:]
        time.sleep(0.5)
    return output


def _check_totp_command(output: str) -> None:
    """The two-factor command, exactly as the banner prints it, works from a plain shell."""
    lines = output.splitlines()
    hint = next(i for i, line in enumerate(lines) if "two-factor code" in line)
    command = lines[hint + 1].strip()
    assert command == "make totp WHO=ada", command
    # A person's shell: neither the suite's settings nor the `make test` around this run.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "MAKE"))}
    result = subprocess.run(  # noqa: S602 - the banner's command line, as a person types it
        command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.fullmatch(r"\d{6}", result.stdout.strip()), result.stdout


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert proc.wait(timeout=90) == 0


def _postgres_running(data_dir: Path) -> bool:
    return (data_dir / "pg" / "postmaster.pid").exists()


@pytest.mark.slow
def test_runstack_starts_everything_and_stops_it_on_ctrl_c() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="portal-run-", dir="/tmp"))
    log = data_dir.parent / f"{data_dir.name}.log"
    port = _free_port()
    proc = _start(data_dir, port, log)
    try:
        report = _wait_healthy(port, proc, log)
        running = "running"
        assert report == {
            "database": "ok",
            "redis": "ok",
            "status": "ok",
            "workers": {"default": "ok", "llm": "ok", "stt": "ok"},
            "processes": dict.fromkeys(
                ("redis", "worker-default", "worker-llm", "worker-stt", "beat", "web"), running
            ),
        }
        output = _wait_for_banner(log)
        assert f"KI-Portal runs at http://127.0.0.1:{port}/" in output
        assert "alice@hallberg.example" in output
        assert "Demo people: 200 created" in output
        # A quiet console: the workers' banners and beat's lines go to their log files.
        assert "celery@" not in output and "beat: Starting" not in output, output
        assert "Task " not in output and "[tasks]" not in output, output
        for name in ("worker-default", "worker-llm", "beat", "web"):
            assert (data_dir / "logs" / f"{name}.log").stat().st_size > 0, name
        assert "[tasks]" in (data_dir / "logs" / "worker-llm.log").read_text()
        _check_totp_command(output)
        assert (data_dir / "models" / "demo-random-weights.gguf").is_file()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
            assert r.status == 200
    finally:
        _stop(proc)
    assert "All processes stopped." in log.read_text()
    assert not _postgres_running(data_dir)
    assert not (data_dir / "redis" / "redis.sock").exists()

    # A second start reuses the data: no second demo load.
    proc = _start(data_dir, port, log)
    try:
        _wait_healthy(port, proc, log)
        output = log.read_text()
        assert "Loading the demo programme" not in output
    finally:
        _stop(proc)
        subprocess.run(["rm", "-rf", str(data_dir), str(log)], check=False)
