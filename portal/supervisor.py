"""Keep the processes of `runstack` alive: restart a crashed child with backoff, give up on a
crash loop, and say so in a status file that the health page reads.

One crashed worker must not take the portal down: each child is watched on its own, and the
web server keeps answering while a worker, beat or Redis comes back. A child that keeps dying
soon after its start is given up after `max_restarts` tries instead of burning the CPU; its
state `failed` makes /healthz answer 503 and name it.

Kept free of Django imports, like stack.py: the tests drive it with plain processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

RUNNING, RESTARTING, FAILED = "running", "restarting", "failed"


def status_path(data_dir: Path) -> Path:
    """Where a running supervisor records its children's states (read by /healthz)."""
    return data_dir / "run" / "stack.json"


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen]
    stop: Callable[[subprocess.Popen], None] | None = None  # default: SIGTERM to its group
    proc: subprocess.Popen | None = None
    state: str = RUNNING
    started_at: float = 0.0
    quick_exits: int = 0  # exits in a row, each soon after its start
    restarts: int = 0  # restarts since runstack started (shown on the health page)
    restart_at: float = 0.0
    last_exit: str = ""

    def status(self) -> dict:
        return {
            "state": self.state,
            "pid": self.proc.pid if self.proc is not None and self.state == RUNNING else None,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
        }


@dataclass
class Supervisor:
    status_file: Path
    say: Callable[[str], None]
    max_restarts: int = 5
    stable_after: float = 60.0  # a child that ran this long was not crash-looping
    backoff_first: float = 1.0
    backoff_max: float = 30.0
    info: dict = field(default_factory=dict)  # written to the status file as it is
    children: list[Child] = field(default_factory=list)

    def add(
        self,
        name: str,
        start: Callable[[], subprocess.Popen],
        stop: Callable[[subprocess.Popen], None] | None = None,
    ) -> Child:
        """Start a child now; it is watched from then on and stopped in reverse order."""
        child = Child(name=name, start=start, stop=stop)
        child.proc = start()
        child.started_at = time.monotonic()
        self.children.append(child)
        self.write_status()
        return child

    def poll(self) -> None:
        """One round: notice exits, restart what is due, record the states."""
        changed = False
        now = time.monotonic()
        for child in self.children:
            if child.state == RUNNING and child.proc is not None and child.proc.poll() is not None:
                self._exited(child, now)
                changed = True
            elif child.state == RESTARTING and now >= child.restart_at:
                self._restart(child)
                changed = True
        if changed:
            self.write_status()

    def _exited(self, child: Child, now: float) -> None:
        assert child.proc is not None
        child.last_exit = describe_exit(child.proc.returncode)
        _kill_group(child.proc)  # a worker's pool processes must not outlive their parent
        child.quick_exits = (
            child.quick_exits + 1 if now - child.started_at < self.stable_after else 1
        )
        if child.quick_exits > self.max_restarts:
            child.state = FAILED
            self.say(
                f"{child.name} {child.last_exit} and keeps crashing "
                f"({self.max_restarts} restarts did not help); it stays stopped. "
                "The health page reports it; restart the stack when the cause is fixed."
            )
            return
        delay = min(self.backoff_max, self.backoff_first * 2 ** (child.quick_exits - 1))
        child.state = RESTARTING
        child.restart_at = now + delay
        self.say(
            f"{child.name} {child.last_exit}; restarting it in {delay:g} s "
            f"(try {child.quick_exits} of {self.max_restarts})"
        )

    def _restart(self, child: Child) -> None:
        try:
            child.proc = child.start()
        except Exception as e:  # a start that fails counts as a crash of the new process
            self.say(f"{child.name} did not start: {e}")
            child.proc = _Exited()
            child.started_at = time.monotonic()
            child.state = RUNNING
            return
        child.started_at = time.monotonic()
        child.state = RUNNING
        child.restarts += 1
        self.say(f"{child.name} restarted (pid {child.proc.pid})")

    def write_status(self) -> None:
        """Record every child's state for the health page (atomically: it may read any time)."""
        data = {
            **self.info,
            "pid": os.getpid(),
            "processes": {c.name: c.status() for c in self.children},
        }
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.status_file)

    def stop_all(self, timeout: float = 20) -> None:
        """Stop every child in reverse order of start; remove the status file."""
        for child in reversed(self.children):
            proc = child.proc
            if proc is None or isinstance(proc, _Exited):
                continue
            if child.stop is not None:
                child.stop(proc)
                continue
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
        self.status_file.unlink(missing_ok=True)


class _Exited:
    """Stands for a process that could not be started: it has exited at once."""

    pid = 0
    returncode = 1

    def poll(self) -> int:
        return self.returncode


def _kill_group(proc: subprocess.Popen | _Exited) -> None:
    if isinstance(proc, _Exited) or proc.pid <= 0:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # each child leads its own session (its group)


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "is running"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with code {returncode}"


def read_status(status_file: Path) -> dict | None:
    """The status a running supervisor wrote, or None (no runstack, or a stale file)."""
    try:
        data = json.loads(status_file.read_text())
    except (OSError, ValueError):
        return None
    pid = data.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # runstack died without removing it
    except PermissionError:
        pass
    return data
