"""A sending process killed with SIGKILL mid-batch: everyone gets the issue exactly once, and
another worker sends the dead one's rows within seconds (the claim's lease plus the reaper's
period), measured on real Celery workers and beat.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from newsletter.models import Delivery, Issue
from newsletter.services import claims, sending
from portal.celery import app
from tests.factories import UserFactory
from tests.newsletter.conftest import drain
from tests.processes import stop_group, wait_for

ROOT = Path(__file__).resolve().parents[2]
ALL = {f"{name}@firma.test" for name in ("alice", "bob", "rita", "ada", "walter", "charlie")}
BATCH = """
import sys, django
django.setup()
from newsletter.services.sending import batch_send
batch_send(int(sys.argv[1]))
"""


def _env(port: int, **extra: str) -> dict[str, str]:
    """The environment of a worker process on this test's database, Redis and SMTP server."""
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_DEBUG="true",
        PORTAL_DATA_DIR=str(settings.DATA_DIR),
        PORTAL_DATABASE_URL=f"postgres://postgres@/{db['NAME']}?host={db['HOST']}",
        PORTAL_EMAIL_HOST="127.0.0.1",
        PORTAL_EMAIL_PORT=str(port),
        **extra,
    )
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a SIGKILL takes the pool child too
    )  # fmt: skip


def _sender(issue_id: int, port: int, log: Path) -> subprocess.Popen:
    """A separate process running one batch, as a Celery worker's pool child would."""
    env = _env(port, PORTAL_NEWSLETTER_BATCH_SIZE="4", PORTAL_NEWSLETTER_RATE_PER_MINUTE="0")
    return _start([sys.executable, "-c", BATCH, str(issue_id)], env, log)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_sender_resumes_without_duplicates_or_gaps(
    cast, smtp_server, enqueued, time_machine, tmp_path
) -> None:
    smtp, port = smtp_server
    issue = Issue.objects.create(subject_de="Ausgabe 3", body_de="Neuigkeiten.")
    sending.issue_send_start(issue, by=cast["ada"])
    smtp.stall_after = 2  # the third mail's DATA is never answered: the sender hangs there

    log = tmp_path / "sender.log"
    sender = _sender(issue.pk, port, log)
    try:
        wait_for(smtp.stalled.is_set, 120, "the sender to reach the third mail", log)
        os.killpg(sender.pid, signal.SIGKILL)
        sender.wait(timeout=10)
    finally:
        stop_group(sender, signal.SIGKILL)
    smtp.stall_after = None
    time_machine.move_to(timezone.now(), tick=False)  # the claim's lease is checked below

    statuses = dict(Delivery.objects.values_list("email", "status"))
    # Two sent, one in flight when the process died and one claimed but untried, two queued.
    assert sorted(statuses.values()) == ["queued", "queued", "sending", "sending", "sent", "sent"]
    leased = {address for address, status in statuses.items() if status == "sending"}
    assert set(smtp.recipients) == {a for a, status in statuses.items() if status == "sent"}
    # Another worker goes on with the queued rows; the dead worker's rows are still leased.
    drain(issue)
    assert issue.status == Issue.Status.SENDING
    assert sorted(smtp.recipients) == sorted(ALL - leased)
    assert sending.scheduled_issues_send()["requeued"] == 0  # the lease has not run out

    time_machine.move_to(timezone.now() + timedelta(seconds=claims.claim_lease() + 1))
    assert sending.scheduled_issues_send() == {"started": 0, "requeued": 2, "gave_up": 0}
    assert enqueued[-1][0] == (issue.pk,)  # the reaper queued a batch for the rest
    drain(issue)
    assert issue.status == Issue.Status.SENT
    assert sorted(smtp.recipients) == sorted(ALL)  # everyone, each exactly once
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1, 1, 1, 1, 2, 2]


def _celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "portal", *args, "-l", "info"]


def _worker(name: str, queues: str) -> list[str]:
    return _celery(
        "worker", "-Q", queues, "-c", "1", "-n", f"{name}@%h", "--without-mingle",
        "--without-gossip",
    )  # fmt: skip


def _only_the_reapers() -> dict[str, str]:
    """Every other periodic task off: this beat is here for the reaper alone."""
    names = re.findall(r"^(PORTAL_CRON_\w+)=", (ROOT / ".env.example").read_text(), re.M)
    return {name: "off" for name in names if name != "PORTAL_CRON_NEWSLETTER"}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_workers_rows_are_sent_by_another_within_seconds(
    cast, smtp_server, tmp_path
) -> None:
    """The whole worker dies (main process and pool child): its batch message is not given
    back before the broker's visibility timeout (an hour); the reaper brings the rows back."""
    smtp, port = smtp_server
    for n in range(54):
        UserFactory(email=f"kollege{n}@firma.test")
    issue = Issue.objects.create(subject_de="Ausgabe 5", body_de="Neuigkeiten.")
    assert sending.issue_send_start(issue, by=cast["ada"]) == 60
    everyone = sorted(Delivery.objects.values_list("email", flat=True))
    smtp.stall_after = 30  # the 31st mail is never answered: its sender hangs there

    with app.connection_for_write() as broker:  # no leftovers of other tests for these workers
        for queue in ("default", "first"):
            broker.default_channel.queue_purge(queue)
    # Defaults for the lease and the reaper's period: that is what is measured. One batch
    # for everyone, at the default rate (600 a minute, the bucket in the real Redis).
    env = _env(port, PORTAL_NEWSLETTER_BATCH_SIZE="100", **_only_the_reapers())
    logs = {name: tmp_path / f"{name}.log" for name in ("first", "second", "beat")}
    first = _start(_worker("first", "default,first"), env, logs["first"])
    second = _start(_worker("second", "default"), env, logs["second"])
    beat = _start(_celery("beat", "-s", str(tmp_path / "beat-schedule")), env, logs["beat"])
    try:
        for name in ("first", "second"):
            wait_for(lambda n=name: "ready." in logs[n].read_text(), 180, f"{name}", *logs.values())
        # Only the first worker listens on "first": it gets the batch, all 60 rows.
        app.send_task("newsletter.tasks.issue_batch_send", (issue.pk,), queue="first")
        wait_for(smtp.stalled.is_set, 180, "the first worker to hang", *logs.values())
        smtp.stall_after = None  # the next sender is not held up
        os.killpg(first.pid, signal.SIGKILL)
        killed = time.monotonic()
        first.wait(timeout=30)
        assert Delivery.objects.filter(status="sending").count() == 30  # 1 in flight, 29 not

        wait_for(lambda: len(smtp.recipients) == 60, 300, "the rest of the issue", *logs.values())
        recovered = time.monotonic() - killed
        print(f"\nnewsletter: a SIGKILLed worker's 30 claimed rows recovered in {recovered:.1f} s")
        wait_for(
            lambda: Issue.objects.filter(pk=issue.pk, status="sent").exists(),
            60,
            "the issue to be marked sent",
            *logs.values(),
        )
    finally:
        for process in (first, second, beat):
            stop_group(process, signal.SIGKILL if process is first else signal.SIGTERM)
    # The claim's lease (20 s) plus the reaper's period (10 s) plus 30 mails at the rate.
    assert recovered < 45, f"recovery took {recovered:.1f} s"
    assert sorted(smtp.recipients) == everyone  # each exactly once
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1] * 30 + [2] * 30
