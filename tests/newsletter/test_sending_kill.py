"""A sending process killed with SIGKILL mid-batch: everyone gets the issue exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from newsletter.models import Delivery, Issue
from newsletter.services import sending
from tests.newsletter.conftest import drain

ROOT = Path(__file__).resolve().parents[2]
ALL = {f"{name}@firma.test" for name in ("alice", "bob", "rita", "ada", "walter", "charlie")}
BATCH = """
import sys, django
django.setup()
from newsletter.services.sending import batch_send
batch_send(int(sys.argv[1]))
"""


def _sender(issue_id: int, port: int, log: Path) -> subprocess.Popen:
    """A separate process running one batch, as a Celery worker's pool child would."""
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_DEBUG="true",
        PORTAL_DATA_DIR=str(settings.DATA_DIR),
        PORTAL_DATABASE_URL=f"postgres://postgres@/{db['NAME']}?host={db['HOST']}",
        PORTAL_EMAIL_HOST="127.0.0.1",
        PORTAL_EMAIL_PORT=str(port),
        PORTAL_NEWSLETTER_BATCH_SIZE="4",
        PORTAL_NEWSLETTER_RATE_PER_MINUTE="0",
    )
    return subprocess.Popen(
        [sys.executable, "-c", BATCH, str(issue_id)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


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
        assert smtp.stalled.wait(60), log.read_text()
        os.killpg(sender.pid, signal.SIGKILL)
        sender.wait(timeout=10)
    finally:
        if sender.poll() is None:
            os.killpg(sender.pid, signal.SIGKILL)
    smtp.stall_after = None

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

    time_machine.move_to(timezone.now() + sending.lease() + timedelta(seconds=5))
    assert sending.scheduled_issues_send() == {"started": 0, "requeued": 2, "gave_up": 0}
    assert enqueued[-1][0] == (issue.pk,)  # the reaper queued a batch for the rest
    drain(issue)
    assert issue.status == Issue.Status.SENT
    assert sorted(smtp.recipients) == sorted(ALL)  # everyone, each exactly once
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1, 1, 1, 1, 2, 2]
