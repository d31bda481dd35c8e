"""The sending engine: one Delivery row per recipient makes sending resumable and idempotent.

Start fixes the recipients (one row each, ON CONFLICT DO NOTHING) and queues the first batch.
A batch claims up to NEWSLETTER_BATCH_SIZE queued rows (FOR UPDATE SKIP LOCKED, so workers
never share a row), opens ONE SMTP connection and commits each row's outcome right after its
send: a killed worker loses at most the message in flight. Each batch queues the next; a
cache key makes sure at most one batch task per issue waits in the queue.

A batch holds its rows by a short lease that a keeper thread renews while it sends (see
claims.py): rows of a dead worker are put back by the reaper (beat, every few seconds) within
about half a minute, while a slow server or the rate limit never costs a live worker its rows.
A failure of ours mid-batch (Redis gone from under the rate limiter, a time limit) puts the
rows not yet tried back at once. The one duplicate window left: the worker dies after the SMTP
server accepted a message and before the `sent` commit. That resend carries the same
Message-ID (derived from issue and address), so servers and clients that deduplicate drop it.
A row that is `sent` is never claimed again.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import make_msgid
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsletter.models import Delivery, Issue
from newsletter.services.claims import (
    MAX_ATTEMPTS,
    Claim,
    Claimed,
    deliveries_claim,
    deliveries_release,
    delivery_mark,
    stale_claims_requeue,
)
from newsletter.services.issues import IssueError
from newsletter.services.message import Template, build_message, mail_host
from newsletter.services.ratelimit import BROKER_ERRORS, RateLimiter, RateLimitUnavailable
from newsletter.services.recipients import recipients
from newsletter.services.tokens import unsubscribe_token, unsubscribe_token_for
from portal.models import User
from portal.services import audit_record

logger = logging.getLogger(__name__)
Status = Delivery.Status
SERVER_DOWN_RETRY = 60  # seconds; no attempt is counted when we cannot even connect
REDIS_DOWN_RETRY = 10  # seconds; the reaper queues the batch anyway once Redis is back
AUDIT_LABELS = {
    "newsletter.send_started": gettext_lazy("Newsletter sending started"),
    "newsletter.sent": gettext_lazy("Newsletter sent"),
    "newsletter.test_sent": gettext_lazy("Newsletter test mail sent"),
}


class SendError(IssueError):
    """A mail could not be sent; the message is for people."""


@dataclass
class BatchOutcome:
    sent: int = 0
    failed: int = 0
    requeued: int = 0
    more: bool = False  # queued rows remain: run the next batch
    retry_in: float | None = None  # a transient failure: run the next batch after this


def _pending_key(issue_id: int) -> str:
    return f"newsletter:batch-pending:{issue_id}"


def batch_enqueue(issue_id: int, countdown: float = 0) -> bool:
    """Queue a batch task unless one already waits in the queue for this issue.

    Without Redis nothing can be queued: that is logged, not raised (the sending has started
    or the rows are committed); the reaper queues the batch once Redis is back.
    """
    from newsletter.tasks import issue_batch_send

    try:
        if not cache.add(_pending_key(issue_id), 1, timeout=int(countdown) + 300):
            return False
        try:
            issue_batch_send.apply_async((issue_id,), countdown=countdown)
        except Exception:
            cache.delete(_pending_key(issue_id))  # or no batch could be queued for 5 minutes
            raise
    except BROKER_ERRORS as error:
        logger.warning("newsletter %s: batch not queued, Redis unreachable: %s", issue_id, error)
        return False
    return True


def issue_send_start(issue: Issue, *, by: User | None) -> int:
    """Fix the recipients and queue the batches; return the number of deliveries.

    Idempotent: an issue already sending (or sent) is left as it is.
    """
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status in (Issue.Status.SENDING, Issue.Status.SENT):
            return locked.deliveries.count()
        if locked.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
            raise IssueError(_("A discarded issue cannot be sent."))
        people = recipients(locked).values_list("pk", "email", "preferred_language")
        Delivery.objects.bulk_create(
            [
                Delivery(issue=locked, user_id=pk, email=email, language=language)
                for pk, email, language in people.iterator(chunk_size=2000)
            ],
            batch_size=2000,
            ignore_conflicts=True,  # ON CONFLICT (issue, email) DO NOTHING
        )
        count = locked.deliveries.count()
        locked.status, locked.started_at = Issue.Status.SENDING, timezone.now()
        locked.save(update_fields=["status", "started_at", "updated_at"])
        audit_record(
            actor=by,
            action="newsletter.send_started",
            target=locked,
            details={"recipients": count},
        )
        transaction.on_commit(lambda: batch_enqueue(locked.pk))
    issue.status, issue.started_at = locked.status, locked.started_at
    return count


def _skip_reason(delivery: Claimed) -> str:
    if delivery.user_id is None:
        return "the person was removed before sending"
    if not delivery.active:
        return "the account was deactivated before sending"
    if delivery.unsubscribed:
        return "unsubscribed before sending"
    return ""


def _permanent(error: Exception) -> bool:
    """5xx from the server about this recipient or message: retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused):
        return False  # about our sender address, not the recipient: try again later
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False  # disconnects, timeouts, connection errors, 4xx


def links(user: User) -> tuple[str, str]:
    """Return (unsubscribe URL, preferences URL) for `user`."""
    pattern, preferences = _links(settings.SITE_URL)
    return pattern.replace("{token}", unsubscribe_token(user)), preferences


@lru_cache(maxsize=4)
def _links(site_url: str) -> tuple[str, str]:
    """(unsubscribe URL with "{token}", preferences URL): reverse() once, not per mail."""
    unsubscribe = reverse("newsletter:unsubscribe", args=["TOKEN"]).replace("TOKEN", "{token}")
    return site_url + unsubscribe, site_url + reverse("newsletter:preferences")


def message_for(issue: Issue, *, user: User, email: str, language: str):
    unsubscribe_url, preferences_url = links(user)
    return build_message(
        issue,
        email=email,
        language=language,
        unsubscribe_url=unsubscribe_url,
        preferences_url=preferences_url,
    )


def batch_send(issue_id: int, *, limiter: RateLimiter | None = None) -> BatchOutcome:
    """Send one batch of `issue_id` over one SMTP connection; say whether more should follow."""
    outcome = BatchOutcome()
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None:
        return outcome
    claim = deliveries_claim(issue_id=issue_id, size=settings.NEWSLETTER_BATCH_SIZE)
    if claim.rows:
        _send_claimed(issue, claim, outcome, limiter or default_limiter())
    outcome.more = Delivery.objects.filter(issue_id=issue_id, status=Status.QUEUED).exists()
    if not outcome.more:
        issue_finish(issue_id)
    return outcome


def default_limiter() -> RateLimiter:
    return RateLimiter(settings.NEWSLETTER_RATE_PER_MINUTE)


def _send_claimed(issue: Issue, claim: Claim, outcome: BatchOutcome, limiter: RateLimiter) -> None:
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("newsletter %s: SMTP server unreachable: %s", issue.pk, error)
        outcome.requeued += deliveries_release(claim.rows)
        outcome.retry_in = SERVER_DOWN_RETRY
        return
    _synchronous_commit(on=False)
    try:
        with claim.kept():
            _send_rows(issue, claim, connection, outcome, limiter)
    except BaseException:
        # Our own failure (a database error, the task's time limit): the rows the server never
        # saw go back now instead of after the lease. The one in flight, if any, waits for
        # the lease: the server may have taken it.
        try:
            deliveries_release(claim.rows[claim.tried :])
        except DatabaseError as error:
            logger.warning("newsletter %s: rows left to the reaper: %s", issue.pk, error)
        raise
    finally:
        _synchronous_commit(on=True)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()  # the server may have gone away already


def _send_rows(
    issue: Issue, claim: Claim, connection, outcome: BatchOutcome, limiter: RateLimiter
) -> None:
    """Send the claimed rows in order, keeping `claim.tried` up to date."""
    # With the SMTP backend, mails are made from one template per language (see Template).
    smtp = connection.connection if isinstance(connection, SmtpBackend) else None
    rows = claim.rows
    for index, delivery in enumerate(rows):
        if reason := _skip_reason(delivery):
            delivery_mark(delivery, Status.FAILED, reason)
            outcome.failed += 1
            continue
        raw = template = None
        if smtp is not None:
            template = _template(issue, delivery.language)
            token = unsubscribe_token_for(delivery.user_id)
            raw = template.render(email=delivery.email, token=token)
        try:
            limiter.acquire()
        except RateLimitUnavailable as error:
            # Without the shared bucket the rate cannot be kept: stop, nothing sent twice.
            logger.warning("newsletter %s: rate limit unavailable: %s", issue.pk, error)
            outcome.requeued += deliveries_release(rows[index:])
            outcome.retry_in = REDIS_DOWN_RETRY
            return
        if not claim.holds(delivery):
            # Taken back by the reaper: this worker looked dead (see claims.py).
            logger.warning("newsletter %s: claim of delivery %s lost", issue.pk, delivery.pk)
            continue
        claim.tried = index + 1  # from here on the server may have it
        try:
            if raw is not None:
                smtp.sendmail(template.sender, [delivery.email], raw)
            else:
                connection.send_messages(
                    [message_for(issue, user=User(pk=delivery.user_id),
                                 email=delivery.email, language=delivery.language)]
                )  # fmt: skip
        except (smtplib.SMTPException, OSError) as error:
            text = f"{type(error).__name__}: {error}"
            if _permanent(error):
                delivery_mark(delivery, Status.FAILED, text)
                outcome.failed += 1
                continue
            # The connection is suspect now: stop, put the rest back, retry later.
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery_mark(delivery, Status.FAILED, text)
                outcome.failed += 1
            else:
                delivery_mark(delivery, Status.QUEUED, text)
                outcome.requeued += 1
            outcome.requeued += deliveries_release(rows[index + 1 :])
            outcome.retry_in = min(600, 30 * 2 ** (delivery.attempts - 1))
            return
        if delivery_mark(delivery, Status.SENT):
            outcome.sent += 1
        else:
            logger.warning(
                "newsletter %s: delivery %s sent after its claim was lost; a resend carries "
                "the same Message-ID",
                issue.pk,
                delivery.pk,
            )


_templates: dict[tuple, Template] = {}


def _template(issue: Issue, language: str) -> Template:
    """The issue's template in `language`, built once per worker process, not per batch."""
    key = (issue.pk, issue.updated_at, language, settings.SITE_URL)
    template = _templates.get(key)
    if template is None:
        if len(_templates) >= 8:  # a worker sends few issues; keep the newest only
            _templates.clear()
        pattern, preferences = _links(settings.SITE_URL)
        template = _templates[key] = Template(
            issue, language, unsubscribe_url=pattern, preferences_url=preferences
        )
    return template


def _synchronous_commit(*, on: bool) -> None:
    """Per-message commits without waiting for the WAL flush (this session only).

    A killed worker loses nothing by this: a committed row is committed. Only a crash of
    PostgreSQL itself may lose the last fraction of a second of `sent` marks; those rows go
    back to `sending` and are resent, with the same Message-ID. Waiting for the disk on each
    mail would halve the throughput.
    """
    if db_connection.vendor == "postgresql" and not db_connection.in_atomic_block:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit" if on else "SET synchronous_commit TO off")


def batch_run(issue_id: int) -> BatchOutcome:
    """What the batch task does: one batch, then queue the next or a retry."""
    cache.delete(_pending_key(issue_id))  # this task is no longer waiting in the queue
    outcome = batch_send(issue_id)
    if outcome.retry_in is not None:
        batch_enqueue(issue_id, countdown=outcome.retry_in)
    elif outcome.more:
        batch_enqueue(issue_id)
    return outcome


def issue_finish(issue_id: int) -> bool:
    """Mark the issue sent once no row is queued or being sent; audit the counts once."""
    active = Delivery.objects.filter(
        issue_id=OuterRef("pk"), status__in=(Status.QUEUED, Status.SENDING)
    )
    with transaction.atomic():
        done = (
            Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING)
            .exclude(Exists(active))
            .update(status=Issue.Status.SENT, sent_at=timezone.now())
        )
        if done:
            counts = Delivery.objects.filter(issue_id=issue_id).aggregate(
                sent=Count("pk", filter=Q(status=Status.SENT)),
                failed=Count("pk", filter=Q(status=Status.FAILED)),
            )
            audit_record(
                actor=None,
                action="newsletter.sent",
                target=Issue.objects.get(pk=issue_id),
                details=counts,
            )
    return bool(done)


def deliveries_reap() -> dict[str, int]:
    """Put rows of dead workers back (or give up after MAX_ATTEMPTS); keep issues moving."""
    requeued, gave_up = stale_claims_requeue()
    for issue_id in Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True):
        if Delivery.objects.filter(issue_id=issue_id, status=Status.QUEUED).exists():
            batch_enqueue(issue_id)  # no-op while a batch task already waits
        else:
            issue_finish(issue_id)
    return {"requeued": requeued, "gave_up": gave_up}


def scheduled_issues_send() -> dict[str, int]:
    """Beat, every few seconds: start the issues whose time has come, then reap."""
    started = 0
    due = Issue.objects.filter(status=Issue.Status.SCHEDULED, scheduled_for__lte=timezone.now())
    for issue in due.order_by("scheduled_for", "pk"):
        issue_send_start(issue, by=None)
        started += 1
    return {"started": started, **deliveries_reap()}


def send_test(issue: Issue, *, to_user: User) -> None:
    """Send `issue` to `to_user` now, subject prefixed "[Test]"; no Delivery row.

    It gets its own random Message-ID: the real mail must not look like a duplicate of it.
    """
    message = message_for(
        issue, user=to_user, email=to_user.email, language=to_user.preferred_language
    )
    message.subject = f"[Test] {message.subject}"
    message.extra_headers["Message-ID"] = make_msgid(domain=mail_host())
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("newsletter %s: test mail failed: %s", issue.pk, error)
        raise SendError(_("The test mail could not be sent. Please try again later.")) from error
    audit_record(
        actor=to_user,
        action="newsletter.test_sent",
        target=issue,
        details={"language": to_user.preferred_language},
    )
