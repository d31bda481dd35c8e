"""The model steps back while other processes keep the machine busy (assistants/cpu_share.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from assistants import cpu_share
from assistants.cpu_share import CpuShare

BURN = "import time\nend = time.time() + 30\nwhile time.time() < end: pass"


class Clock:
    """The module's view of time: a token computes exactly as long as the test says, however
    often a busy machine preempts the test, so the pauses can be checked exactly. The other
    processes' load is real: it is read from /proc while real time passes (the busy loop)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)


def _tokens(share: CpuShare, count: int, seconds: float, clock: Clock | None = None) -> None:
    for _ in range(count):
        end = time.monotonic() + seconds
        while time.monotonic() < end:  # "computing a token"
            pass
        if clock is not None:
            clock.now += seconds
        share.after_token()


def test_busy_machine_makes_it_pause_for_the_rest_of_its_share(monkeypatch) -> None:
    clock = Clock()
    monkeypatch.setattr(cpu_share, "time", clock)
    cores = len(os.sched_getaffinity(0))
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(cores)]
    try:
        share = CpuShare(0.25)
        _tokens(share, 40, 0.02, clock)  # 0.8 s: several looks at /proc
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert share.others_busy >= cpu_share.BUSY  # one burner per core
    assert clock.pauses, "no pause although other processes kept the machine busy"
    # Each pause is three times the token's computing time: the model computes a quarter.
    assert clock.pauses[-5:] == [pytest.approx(3 * 0.02)] * 5, clock.pauses[-5:]


def test_first_token_never_pauses_and_share_100_is_off(monkeypatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(cpu_share.time, "sleep", pauses.append)
    share = CpuShare(1.0)
    share.others_busy = 1.0
    _tokens(share, 5, 0.001)
    assert pauses == []
    quarter = CpuShare(0.25)
    quarter.others_busy, quarter._last_look = 1.0, time.monotonic() + 60  # no new look
    quarter.after_token()  # the first token comes after reading the prompt: no pause
    assert pauses == []
