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


def _tokens(share: CpuShare, count: int, seconds: float) -> None:
    for _ in range(count):
        end = time.monotonic() + seconds
        while time.monotonic() < end:  # "computing a token"
            pass
        share.after_token()


def test_busy_machine_makes_it_pause_for_the_rest_of_its_share(monkeypatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(cpu_share.time, "sleep", pauses.append)
    cores = len(os.sched_getaffinity(0))
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(cores)]
    try:
        share = CpuShare(0.25)
        _tokens(share, 40, 0.02)  # 0.8 s: several looks at /proc
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert share.others_busy >= cpu_share.BUSY  # one burner per core
    assert pauses, "no pause although other processes kept the machine busy"
    # Each pause is three times the token's computing time: the model computes a quarter.
    assert all(p == pytest.approx(3 * 0.02, rel=0.5) for p in pauses[-5:]), pauses[-5:]


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
