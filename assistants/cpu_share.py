"""Let the model step back while the web server is busy: generation must not starve the pages.

A lower CPU priority (worker.py) is not enough on a small server: llama.cpp streams the
whole model through memory for every token, and on 2 cores that slows every web request
even when the scheduler favours the web (bench/load.py: p95 × 2.3–2.6 with nice 10). So,
after each token, the generating process looks at how busy the OTHER processes keep the
machine (from /proc/stat minus its own CPU time, at most every quarter second). Above
`BUSY` it pauses so that it computes only `settings.LLM_BUSY_SHARE` of the time; on a quiet
machine it runs at full speed. Linux only; elsewhere it never pauses.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

BUSY = 0.5  # others use at least half of the machine's CPU: the web is under load
INTERVAL = 0.25  # seconds between two looks at /proc
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs since boot, or None without /proc."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def _own() -> int:
    """This process's CPU time (all threads) in jiffies."""
    times = os.times()
    return round((times.user + times.system) * _TICKS)


class CpuShare:
    """Call `after_token()` once per generated token; it sleeps when the web needs the CPU."""

    def __init__(self, share: float) -> None:
        self.share = share
        self.others_busy = 0.0
        self._last_look = 0.0
        self._last: tuple[int, int, int] | None = None
        self._token_started: float | None = None  # the prompt is read before the first token

    def after_token(self) -> None:
        now = time.monotonic()
        computed = now - self._token_started if self._token_started is not None else 0.0
        if self.share < 1 and computed > 0:
            if now - self._last_look >= INTERVAL:
                self._look(now)
            if self.others_busy >= BUSY:
                time.sleep(computed * (1 / self.share - 1))
        self._token_started = time.monotonic()

    def _look(self, now: float) -> None:
        self._last_look = now
        machine = _machine()
        if machine is None:
            return
        busy, total, own = *machine, _own()
        if self._last is not None and total > self._last[1]:
            others = (busy - self._last[0]) - (own - self._last[2])
            self.others_busy = max(0.0, others / (total - self._last[1]))
        self._last = (busy, total, own)
