"""The shared rate limit: slots reserved in the real Redis, time from a fake clock.

No wall-clock assertions: the limiter computes waits from the clock it is given, and the
fake sleep moves that clock, so the figures are exact on a busy machine too.
"""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache

from newsletter.models import Issue
from newsletter.services import sending
from newsletter.services.ratelimit import RateLimiter, RateLimitUnavailable
from tests.newsletter.conftest import drain


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_slots_are_spaced_across_workers() -> None:
    clock = FakeClock()
    first = RateLimiter(60, clock=clock, sleep=clock.sleep)  # one a second
    second = RateLimiter(60, clock=clock, sleep=clock.sleep)  # another worker, same bucket
    waits = [limiter.reserve() for limiter in (first, second, first, second, first)]
    assert waits == [0.0, 1.0, 2.0, 3.0, 4.0]
    clock.now += 10  # the bucket drains while nobody sends: no burst is saved up
    assert [first.reserve(), second.reserve()] == [0.0, 1.0]


def test_acquire_sleeps_until_the_slot_and_zero_switches_off() -> None:
    clock = FakeClock()
    limiter = RateLimiter(120, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        limiter.acquire()
    assert clock.slept == [0.5, 0.5, 0.5]  # the first goes at once
    off = RateLimiter(0, clock=clock, sleep=clock.sleep)
    assert [off.acquire() for _ in range(100)] == [0.0] * 100


@pytest.mark.django_db
def test_a_batch_keeps_to_the_rate(cast, smtp, settings) -> None:
    settings.NEWSLETTER_RATE_PER_MINUTE = 30  # one every two seconds
    clock = FakeClock()
    issue = Issue.objects.create(subject_de="Takt", body_de="Text")
    sending.issue_send_start(issue, by=cast["ada"])
    drain(issue, limiter=RateLimiter(30, clock=clock, sleep=clock.sleep))
    assert len(smtp.received) == 6
    assert clock.slept == [2.0] * 5 and clock.now - 1_000_000.0 == 10.0
    # Six sends at one per two seconds: at most 30 in any minute.
    assert sending.default_limiter().per_minute == 30


def test_redis_away_is_a_named_error(monkeypatch, tmp_path) -> None:
    gone = redis.Redis(unix_socket_path=str(tmp_path / "gone.sock"))
    monkeypatch.setattr(cache._cache, "get_client", lambda *args, **kwargs: gone)
    with pytest.raises(RateLimitUnavailable, match="ConnectionError"):
        RateLimiter(60).acquire()
    assert RateLimiter(0).acquire() == 0.0  # switched off: no Redis needed
