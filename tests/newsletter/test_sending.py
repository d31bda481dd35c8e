"""Sending through a real SMTP server on loopback: batches, failures, retries, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Delivery, Issue, Preference
from newsletter.services import sending
from newsletter.services.issues import IssueError
from newsletter.services.message import message_id
from newsletter.services.tokens import user_from_unsubscribe_token
from portal.models import AuditEntry
from tests.factories import UserFactory
from tests.newsletter.conftest import drain, free_port

pytestmark = pytest.mark.django_db

ALL = {f"{name}@firma.test" for name in ("alice", "bob", "rita", "ada", "walter", "charlie")}


def _issue(**fields) -> Issue:
    defaults = {
        "subject_de": "KI-Newsletter April",
        "body_de": "## Termine\n\nSiehe [Kalender](https://portal.firma.test/termine/).",
        "subject_en": "AI newsletter April",
        "body_en": "## Dates\n\nSee the [calendar](https://portal.firma.test/termine/).",
    }
    return Issue.objects.create(**(defaults | fields))


def test_send_everyone_one_batch_with_headers_and_languages(
    cast, smtp, enqueued, settings, django_capture_on_commit_callbacks
) -> None:
    cast["alice"].preferred_language = "en"
    cast["alice"].save()
    issue = _issue()
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.issue_send_start(issue, by=cast["ada"]) == 6
    assert issue.status == Issue.Status.SENDING
    assert [args for args, _ in enqueued] == [(issue.pk,)]  # the first batch, after commit
    (outcome,) = drain(issue)
    assert (outcome.sent, outcome.failed, outcome.more) == (6, 0, False)
    assert issue.status == Issue.Status.SENT and issue.sent_at is not None
    assert sorted(smtp.recipients) == sorted(ALL)
    assert {mail.session for mail in smtp.received} == {1}  # one connection for the batch

    alice = smtp.to("alice@firma.test")
    assert alice["Subject"] == "AI newsletter April"
    assert alice.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in alice.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert alice["Message-ID"] == message_id(issue, "alice@firma.test")
    assert alice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = alice["List-Unsubscribe"].strip().strip("<>")  # may be folded: long token
    assert link.startswith(settings.SITE_URL + "/newsletter/abmelden/")
    assert user_from_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1]) == cast["alice"]
    html = alice.get_body(("html",)).get_content()
    assert 'style="' in html and "<img" not in html
    assert 'href="https://portal.firma.test/termine/"' in html
    bob = smtp.to("bob@firma.test")
    assert bob["Subject"] == "KI-Newsletter April"
    assert "Termine" in bob.get_body(("plain",)).get_content()

    assert set(Delivery.objects.filter(issue=issue).values_list("status", flat=True)) == {"sent"}
    started = AuditEntry.objects.get(action="newsletter.send_started")
    assert started.details == {"recipients": 6} and started.actor == cast["ada"]
    done = AuditEntry.objects.get(action="newsletter.sent")
    assert done.details == {"sent": 6, "failed": 0}
    assert "Termine" not in str(done.details) + str(started.details)


def test_batches_use_one_connection_each(cast, smtp, settings) -> None:
    settings.NEWSLETTER_BATCH_SIZE = 3
    for n in range(4):
        UserFactory(email=f"extra{n}@firma.test")
    issue = _issue()
    sending.issue_send_start(issue, by=cast["ada"])
    outcomes = drain(issue)
    assert [o.sent for o in outcomes] == [3, 3, 3, 1]
    assert [o.more for o in outcomes] == [True, True, True, False]
    assert smtp.sessions == len(outcomes) == 4
    per_session = [sum(1 for m in smtp.received if m.session == s) for s in (1, 2, 3, 4)]
    assert per_session == [3, 3, 3, 1]
    assert len(smtp.recipients) == len(set(smtp.recipients)) == 10
    assert issue.status == Issue.Status.SENT


def test_start_twice_creates_no_duplicates(
    cast, smtp, enqueued, django_capture_on_commit_callbacks
) -> None:
    issue = _issue()
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.issue_send_start(issue, by=cast["ada"]) == 6
        assert sending.issue_send_start(Issue.objects.get(pk=issue.pk), by=cast["ada"]) == 6
    assert Delivery.objects.filter(issue=issue).count() == 6
    assert AuditEntry.objects.filter(action="newsletter.send_started").count() == 1
    assert len(enqueued) == 1
    drain(issue)
    assert sending.issue_send_start(issue, by=cast["ada"]) == 6  # sent: nothing happens
    drain(issue)
    assert sorted(smtp.recipients) == sorted(ALL)


def test_discarded_issue_is_not_sent(cast, smtp) -> None:
    issue = _issue(status=Issue.Status.CANCELLED)
    with pytest.raises(IssueError):
        sending.issue_send_start(issue, by=cast["ada"])
    assert not Delivery.objects.exists()


def test_refused_recipient_fails_the_others_are_sent(cast, smtp) -> None:
    smtp.refuse.add("bob@firma.test")
    issue = _issue()
    sending.issue_send_start(issue, by=cast["ada"])
    (outcome,) = drain(issue)
    assert (outcome.sent, outcome.failed) == (5, 1)
    bob = Delivery.objects.get(email="bob@firma.test")
    assert bob.status == "failed" and bob.attempts == 1
    assert "550" in bob.error and "Mailbox unavailable" in bob.error
    assert sorted(smtp.recipients) == sorted(ALL - {"bob@firma.test"})
    assert smtp.sessions == 1  # the connection survived the refusal
    assert issue.status == Issue.Status.SENT
    assert AuditEntry.objects.get(action="newsletter.sent").details == {"sent": 5, "failed": 1}


def test_dropped_connection_and_deferral_are_retried(cast, smtp) -> None:
    smtp.drop_after = 2  # the third mail's DATA: the server hangs up
    smtp.defer_once.add("charlie@firma.test")  # a 451 at RCPT
    issue = _issue()
    sending.issue_send_start(issue, by=cast["ada"])
    outcomes = drain(issue)
    assert outcomes[0].sent == 2 and outcomes[0].retry_in == 30 and outcomes[0].more
    assert sorted(smtp.recipients) == sorted(ALL)  # each exactly once
    assert issue.status == Issue.Status.SENT
    attempts = dict(Delivery.objects.values_list("email", "attempts"))
    assert sum(attempts.values()) == 8  # two addresses needed a second attempt
    assert attempts["charlie@firma.test"] == 2


def test_transient_failures_give_up_after_max_attempts(cast, smtp, settings) -> None:
    settings.NEWSLETTER_BATCH_SIZE = 10
    issue = _issue()
    sending.issue_send_start(issue, by=cast["ada"])
    Delivery.objects.filter(email="rita@firma.test").update(attempts=sending.MAX_ATTEMPTS - 1)
    smtp.defer_once.add("rita@firma.test")
    drain(issue)
    rita = Delivery.objects.get(email="rita@firma.test")
    assert rita.status == "failed" and "451" in rita.error
    assert "rita@firma.test" not in smtp.recipients and len(smtp.recipients) == 5


def test_server_down_counts_no_attempt(cast, smtp_server, settings) -> None:
    recorder, port = smtp_server
    settings.EMAIL_PORT = free_port()  # nobody listens there
    issue = _issue()
    sending.issue_send_start(issue, by=cast["ada"])
    outcome = sending.batch_send(issue.pk)
    assert outcome.retry_in == sending.SERVER_DOWN_RETRY and outcome.requeued == 6
    assert set(Delivery.objects.values_list("status", "attempts")) == {("queued", 0)}
    settings.EMAIL_PORT = port
    drain(issue)
    assert sorted(recorder.recipients) == sorted(ALL)


def test_unsubscribed_before_start_or_during_sending_get_nothing(cast, smtp) -> None:
    Preference.objects.create(user=cast["walter"], subscribed=False)
    issue = _issue()
    assert sending.issue_send_start(issue, by=cast["ada"]) == 5
    Preference.objects.create(user=cast["bob"], subscribed=False)  # clicked while queued
    drain(issue)
    assert sorted(smtp.recipients) == sorted(ALL - {"walter@firma.test", "bob@firma.test"})
    bob = Delivery.objects.get(email="bob@firma.test")
    assert bob.status == "failed" and bob.error == "unsubscribed before sending"


def test_scheduled_issue_starts_when_due(cast, smtp, enqueued, time_machine) -> None:
    now = timezone.now()
    due = _issue(status=Issue.Status.SCHEDULED, scheduled_for=now - timedelta(minutes=1))
    later = _issue(status=Issue.Status.SCHEDULED, scheduled_for=now + timedelta(hours=1))
    result = sending.scheduled_issues_send()
    assert result["started"] == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (Issue.Status.SENDING, Issue.Status.SCHEDULED)
    assert AuditEntry.objects.get(action="newsletter.send_started").actor is None
    drain(due)
    assert due.status == Issue.Status.SENT and len(smtp.received) == 6


def test_send_test_to_oneself(cast, smtp) -> None:
    cast["ada"].preferred_language = "en"
    cast["ada"].save()
    issue = _issue()
    sending.send_test(issue, to_user=cast["ada"])
    mail = smtp.to("ada@firma.test")
    assert mail["Subject"] == "[Test] AI newsletter April"
    assert mail["Message-ID"] != message_id(issue, "ada@firma.test")  # no clash with the real one
    assert not Delivery.objects.exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    entry = AuditEntry.objects.get(action="newsletter.test_sent")
    assert entry.actor == cast["ada"] and entry.details == {"language": "en"}


def test_send_test_failure_is_a_clear_error(cast, smtp_server, settings) -> None:
    settings.EMAIL_PORT = free_port()
    with pytest.raises(sending.SendError):
        sending.send_test(_issue(), to_user=cast["ada"])
    assert not AuditEntry.objects.filter(action="newsletter.test_sent").exists()
