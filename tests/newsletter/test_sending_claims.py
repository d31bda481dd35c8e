"""Claims on delivery rows: a live batch keeps them however slow the server is, a batch whose
rows were taken back writes nothing, and Redis going away mid-batch loses and doubles nothing.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from newsletter.models import Delivery, Issue
from newsletter.services import claims, sending
from newsletter.services.ratelimit import RateLimiter
from tests.newsletter.conftest import drain

ALL = {f"{name}@firma.test" for name in ("alice", "bob", "rita", "ada", "walter", "charlie")}


def _started(cast) -> Issue:
    issue = Issue.objects.create(subject_de="Ausgabe 4", body_de="Neuigkeiten.")
    sending.issue_send_start(issue, by=cast["ada"])
    return issue


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_live_batch_stalled_past_its_lease_keeps_its_rows(cast, smtp, settings) -> None:
    settings.NEWSLETTER_CLAIM_LEASE_SECONDS = 4  # the keeper renews every second
    settings.EMAIL_TIMEOUT = 120  # the server is slow, the socket does not give up
    smtp.stall_after = 2  # the third mail's DATA is answered only when the test says so
    issue = _started(cast)
    outcomes: list[sending.BatchOutcome] = []

    def run() -> None:
        try:
            outcomes.append(sending.batch_send(issue.pk))
        finally:
            connection.close()  # as Celery does after each task

    sender = threading.Thread(target=run)
    sender.start()
    try:
        assert smtp.stalled.wait(60), "the batch never reached the third mail"
        sending_rows = Delivery.objects.filter(status="sending")
        first_claim = min(sending_rows.values_list("claimed_at", flat=True))
        assert sending_rows.count() == 4
        lease = timedelta(seconds=claims.claim_lease())
        # Without the keeper these rows would now be stale; the reaper must leave them alone.
        deadline = time.monotonic() + 120
        while min(sending_rows.values_list("claimed_at", flat=True)) <= first_claim + lease:
            assert time.monotonic() < deadline and sender.is_alive(), "the claim was not renewed"
            time.sleep(0.1)
        assert sending.deliveries_reap()["requeued"] == 0
    finally:
        smtp.unstall.set()
        sender.join(timeout=120)
    assert not sender.is_alive()
    (outcome,) = outcomes
    assert (outcome.sent, outcome.requeued, outcome.more) == (6, 0, False)
    assert sorted(smtp.recipients) == sorted(ALL)  # each exactly once
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_batch_whose_rows_were_taken_back_writes_nothing(cast, smtp, time_machine) -> None:
    issue = _started(cast)
    frozen = claims.deliveries_claim(issue_id=issue.pk, size=10)  # then its worker froze
    assert len(frozen.rows) == 6
    time_machine.move_to(timezone.now() + timedelta(seconds=claims.claim_lease() + 1))
    assert sending.deliveries_reap()["requeued"] == 6
    drain(issue)  # another worker sends them all
    assert issue.status == Issue.Status.SENT
    assert sorted(smtp.recipients) == sorted(ALL)

    # The frozen worker wakes up: its clock says a lease has passed since it last renewed.
    frozen.renewal = (frozen.renewal[0] - claims.claim_lease(), frozen.renewal[1])
    row = frozen.rows[0]
    assert not frozen.holds(row)  # it renews, and learns that none of its rows is still its own
    assert not claims.delivery_mark(row, Delivery.Status.QUEUED, "late")
    assert claims.deliveries_release(frozen.rows) == 0
    assert set(Delivery.objects.values_list("status", "attempts", "error")) == {("sent", 2, "")}


class _RedisGoesAway(RateLimiter):
    """The real limiter, until Redis goes away after `after` reservations."""

    def __init__(self, after: int, gone: redis.Redis) -> None:
        super().__init__(60_000)  # one a millisecond: real reservations, no real waiting
        self.after, self.gone = after, gone

    def reserve(self) -> float:
        if self.after == 0:
            with mock.patch.object(cache._cache, "get_client", return_value=self.gone):
                return super().reserve()
        self.after -= 1
        return super().reserve()


@pytest.mark.django_db
def test_redis_gone_mid_batch_puts_the_rest_back_at_once(cast, smtp, tmp_path, caplog) -> None:
    issue = _started(cast)
    gone = redis.Redis(unix_socket_path=str(tmp_path / "gone.sock"))
    outcome = sending.batch_send(issue.pk, limiter=_RedisGoesAway(2, gone))
    assert (outcome.sent, outcome.requeued) == (2, 4)
    assert outcome.retry_in == sending.REDIS_DOWN_RETRY
    assert "rate limit unavailable" in caplog.text
    # Nothing waits for a lease: the four untried rows are queued again, no attempt counted.
    rows = sorted(Delivery.objects.values_list("status", "attempts"))
    assert rows == [("queued", 0)] * 4 + [("sent", 1)] * 2
    drain(issue)  # Redis is back
    assert issue.status == Issue.Status.SENT
    assert sorted(smtp.recipients) == sorted(ALL)  # each exactly once


def test_a_batch_that_cannot_be_queued_is_left_to_the_reaper(settings, caplog) -> None:
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "unix:///tmp/no-such-redis.sock?db=1"}
    }
    assert sending.batch_enqueue(1) is False  # logged, not raised: the send has started
    assert "Redis unreachable" in caplog.text


def test_the_reaper_runs_every_ten_seconds_without_piling_up() -> None:
    from portal.celery import app

    entry = app.conf.beat_schedule["newsletter-scheduled"]
    assert entry["schedule"] == timedelta(seconds=10)
    assert entry["options"]["expires"] < 10  # a message that waited a period is dropped
