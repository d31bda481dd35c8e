"""Delivery claims: a batch holds its rows by a short lease that its worker keeps renewing.

A claimed row is `sending`. `claimed_at` is when its holder last renewed it, and `attempts`
(counted by the claim) names the claim: every write of a claimed row is conditional on
`sending` and that attempt number, so a worker whose rows were taken back writes nothing.
While a batch sends, a keeper thread renews its rows every quarter lease, however slow the
SMTP server or the rate limit: a live worker's claim does not run out. A dead worker's rows
are stale one lease (NEWSLETTER_CLAIM_LEASE_SECONDS) after its last renewal, and the reaper
queues them again.

Before each mail the sender checks, without a query, that its row was renewed within half a
lease; if the keeper is late it renews itself first. So a row handed to the SMTP server is
ours for at least half a lease more: a slow database or a starved keeper thread makes a
batch stop, never send a row that another worker has taken back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from newsletter.models import Delivery

logger = logging.getLogger(__name__)
Status = Delivery.Status
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery row with what sending it needs: no model instances per mail."""

    pk: int
    user_id: int | None
    email: str
    language: str
    attempts: int  # the claim's number: writes are conditional on it
    active: bool  # the account exists and is active
    unsubscribed: bool


_CLAIM = (
    # One statement, one round trip: rows locked by another worker are skipped, never
    # shared (SKIP LOCKED), and what sending needs comes back with them. No ORDER BY in the
    # inner select: sorting every queued row on each claim cost more than the batch's
    # sends; the (issue, status) index hands rows out in about insertion order anyway.
    "WITH claimed AS (UPDATE newsletter_delivery SET status = %s, claimed_at = %s,"
    " attempts = attempts + 1"
    " WHERE id = ANY(ARRAY(SELECT id FROM newsletter_delivery WHERE issue_id = %s AND status = %s"
    " LIMIT %s FOR UPDATE SKIP LOCKED))"
    " RETURNING id, user_id, email, language, attempts)"
    " SELECT c.id, c.user_id, c.email, c.language, c.attempts, COALESCE(u.is_active, false),"
    " EXISTS (SELECT 1 FROM newsletter_preference p"
    "  WHERE p.user_id = c.user_id AND NOT p.subscribed)"
    " FROM claimed c LEFT JOIN portal_user u ON u.id = c.user_id ORDER BY c.id"
)
# Both statements touch only the rows still ours: (id, attempts) pairs from two arrays.
# GREATEST: a renewal overtaken by a later one never moves the lease back.
_RENEW = (
    "UPDATE newsletter_delivery d SET claimed_at = GREATEST(d.claimed_at, %s)"
    " FROM unnest(%s::bigint[], %s::int[]) AS c(id, attempts)"
    " WHERE d.id = c.id AND d.attempts = c.attempts AND d.status = 'sending' RETURNING d.id"
)
_RELEASE = (
    "UPDATE newsletter_delivery d SET status = 'queued', claimed_at = NULL,"
    " attempts = d.attempts - 1 FROM unnest(%s::bigint[], %s::int[]) AS c(id, attempts)"
    " WHERE d.id = c.id AND d.attempts = c.attempts AND d.status = 'sending'"
)


def claim_lease() -> float:
    """Seconds a claimed row stays ours without a renewal."""
    return float(settings.NEWSLETTER_CLAIM_LEASE_SECONDS)


@dataclass
class Claim:
    """One batch's rows, and when they were last known to be ours (see the module doc)."""

    rows: list[Claimed]
    lease: float
    # (time.monotonic() taken before the timestamp written, ids that were still ours)
    renewal: tuple[float, frozenset[int]]
    tried: int = 0  # rows[:tried] went to the SMTP server (or were skipped); the rest did not
    lock: threading.Lock = field(default_factory=threading.Lock)

    def renew(self) -> None:
        """Renew the rows that are still ours; remember which they are."""
        started = time.monotonic()
        ids, attempts = [d.pk for d in self.rows], [d.attempts for d in self.rows]
        with connection.cursor() as cursor:
            cursor.execute(_RENEW, [timezone.now(), ids, attempts])
            held = frozenset(row[0] for row in cursor.fetchall())
        with self.lock:
            if started > self.renewal[0]:
                self.renewal = (started, held)

    def holds(self, delivery: Claimed) -> bool:
        """Whether `delivery` is ours for half a lease more: only then may it be sent."""
        if not self._fresh(delivery.pk):
            self.renew()  # the keeper is late (a busy machine, a slow database): ask now
        return self._fresh(delivery.pk)

    def _fresh(self, pk: int) -> bool:
        at, held = self.renewal
        return pk in held and time.monotonic() - at < self.lease / 2

    @contextmanager
    def kept(self) -> Iterator[None]:
        """Renew the claim from a thread while the body runs (the mails are sent)."""
        stop = threading.Event()

        def keep() -> None:
            try:
                while not stop.wait(self.lease / 4):
                    try:
                        self.renew()
                    except DatabaseError as error:
                        # The sender sees the stale renewal and stops before its next mail.
                        logger.warning("newsletter claim not renewed: %s", error)
                        connection.close()  # a fresh connection for the next try
            finally:
                connection.close()  # this thread's own connection; none if it never renewed

        keeper = threading.Thread(target=keep, name="newsletter-claim", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join(timeout=10)


def deliveries_claim(*, issue_id: int, size: int) -> Claim:
    """Claim up to `size` queued rows of the issue; each claim counts an attempt."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [Status.SENDING, timezone.now(), issue_id, Status.QUEUED, size])
        rows = [Claimed(*row) for row in cursor.fetchall()]
    return Claim(rows, claim_lease(), (started, frozenset(d.pk for d in rows)))


def delivery_mark(delivery: Claimed, status: str, error: str = "") -> bool:
    """Record one row's outcome at once (autocommit); False if the row is no longer ours.

    Plain SQL: this runs once per mail, and the ORM's query building cost as much as the
    database round trip.
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE newsletter_delivery SET status = %s, error = %s,"
            " sent_at = CASE WHEN %s THEN %s ELSE sent_at END,"
            " claimed_at = CASE WHEN %s THEN NULL ELSE claimed_at END"
            " WHERE id = %s AND attempts = %s AND status = 'sending'",
            [status, error[:500], status == Status.SENT, now, status == Status.QUEUED,
             delivery.pk, delivery.attempts],
        )  # fmt: skip
        return cursor.rowcount == 1


def deliveries_release(deliveries: Sequence[Claimed]) -> int:
    """Put claimed rows that were not tried back, without counting an attempt."""
    if not deliveries:
        return 0
    ids, attempts = [d.pk for d in deliveries], [d.attempts for d in deliveries]
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE, [ids, attempts])
        return cursor.rowcount


def stale_claims_requeue() -> tuple[int, int]:
    """Queue the rows of dead workers again, or fail those out of attempts: (requeued, gave up).

    Each UPDATE re-checks the lease on the row it locks, so a row renewed meanwhile stays.
    """
    stale = Delivery.objects.filter(
        status=Status.SENDING, claimed_at__lt=timezone.now() - timedelta(seconds=claim_lease())
    )
    gave_up = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, error=f"gave up after {MAX_ATTEMPTS} attempts (worker lost)"
    )
    return stale.update(status=Status.QUEUED, claimed_at=None), gave_up
