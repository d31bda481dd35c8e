"""The newsletter's send rate, shared by all workers: a GCRA token bucket in Redis.

Each send reserves the next free slot: the bucket keeps one number, the theoretical arrival
time (TAT) of the next message, and moves it on by 60/rate seconds per reservation in one Lua
script, so concurrent workers never get the same slot. The caller sleeps until its slot.
Slots are spaced evenly (no burst), so any 60-second window holds at most `rate` sends.
Clocks: the caller's time is used (workers run on one host or NTP-synced hosts).
Without Redis there is no shared bucket: `reserve` raises RateLimitUnavailable, and the batch
stops rather than guess a rate that several workers together would exceed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

# What Redis being away raises: redis-py through the cache, kombu through the broker.
BROKER_ERRORS = (RedisError, OperationalError)

_RESERVE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
redis.call('SET', KEYS[1], tat + interval, 'PX', tat + interval - now + 60000)
return tat - now
"""


class RateLimitUnavailable(Exception):
    """The shared bucket in Redis cannot be reached."""


class RateLimiter:
    """At most `per_minute` reservations per minute across processes; 0 switches it off."""

    def __init__(
        self,
        per_minute: int,
        *,
        key: str = "portal:newsletter:rate",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute, self.key, self.clock, self.sleep = per_minute, key, clock, sleep

    def reserve(self) -> float:
        """Reserve the next slot; return the seconds until it comes (0: send now)."""
        if self.per_minute <= 0:
            return 0.0
        interval_ms = max(1, round(60_000 / self.per_minute))
        now_ms = int(self.clock() * 1000)
        try:
            client = cache._cache.get_client(self.key, write=True)  # the cache's own Redis
            return int(client.eval(_RESERVE, 1, self.key, now_ms, interval_ms)) / 1000
        except RedisError as error:
            raise RateLimitUnavailable(f"{type(error).__name__}: {error}") from error

    def acquire(self) -> float:
        """Wait for the next slot; return how long that was."""
        wait = self.reserve()
        if wait > 0:
            self.sleep(wait)
        return wait

    def reset(self) -> None:
        cache._cache.get_client(self.key, write=True).delete(self.key)
