"""Helpers for tests that start, kill and wait for real worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal the process's whole group (it leads its own session); SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_for(condition: Callable[[], bool], timeout: float, what: str, *logs: Path) -> None:
    """Poll `condition` until it holds; past the deadline, fail with the logs' tails."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
            raise AssertionError(f"timed out waiting for {what}:\n{tails}")
        time.sleep(0.1)
