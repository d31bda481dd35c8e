"""Newsletter sending at company scale: the portal's engine against a bare smtplib loop.

1. 10,000 people (bulk-created, a fifth prefer English) and one issue to everyone.
2. Portal: `issue_send_start` fixes the recipients, then the batch task runs in this process
   as a worker would run it (one call per batch, NEWSLETTER_BATCH_SIZE as configured, one
   SMTP connection per batch, a commit per message, the next batch queued in the real
   Redis broker), rate limit off, until the issue is sent.
3. Baseline: the SAME messages, built beforehand (bytes), sent with smtplib over ONE
   connection to the same sink.
The sink is aiosmtpd in its own process that only counts. Target: ratio ≥ 0.5.
`--smoke` sends to 200 people instead (proves it runs, in well under a minute).
Everything (embedded PostgreSQL + Redis, data dir, sink) is created here and removed after.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import smtplib
import socket
import sys
import tempfile
import time
from pathlib import Path

MESSAGES = 10_000
SMOKE_MESSAGES = 200
TARGET = 0.5
BODY = """## Neues aus dem KI-Programm

Die **Pilotphase** im Vertrieb und in der Konstruktion ist abgeschlossen. Danke an alle,
die Anwendungsfälle eingereicht und geprüft haben: [zur Übersicht](https://portal.firma.test/anwendungsfaelle/).

### Termine

- Sprechstunde mit den Multiplikatoren: donnerstags 14 Uhr
- Community-Runde „Prompts im Kundenservice“: 12. Mai
- Schulung „KI sicher nutzen“ für neue Kolleginnen und Kollegen

> Wichtig: Personenbezogene Daten gehören nicht in externe KI-Dienste. Der Betriebsrat
> hat die Nutzungsregeln mit uns abgestimmt.

| Phase | Stand |
|-------|-------|
| Pilot | abgeschlossen |
| Rollout | läuft |

Fragen? Schreiben Sie uns über die [FAQ](https://portal.firma.test/faq/).
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Counter:
    """aiosmtpd handler: accepts everything, keeps nothing, counts messages."""

    def __init__(self, count) -> None:
        self.count = count

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def sink(port: int, count, ready, stop) -> None:
    """The SMTP sink process (forked before anything else runs)."""
    from aiosmtpd.controller import Controller

    asyncio.set_event_loop(asyncio.new_event_loop())
    controller = Controller(Counter(count), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def people(n: int) -> None:
    from django.contrib.auth.hashers import make_password

    from portal.models import User

    password = make_password("bench-only-password")  # one hash for everyone: fast
    User.objects.bulk_create(
        [
            User(email=f"person{i}@bench.example", name=f"Person {i}", password=password,
                 preferred_language="en" if i % 5 == 0 else "de")
            for i in range(n)
        ],
        batch_size=2000,
    )  # fmt: skip


def portal_send(count, messages: int) -> tuple[float, float, int]:
    """Send through the engine; return (seconds for start, seconds for the batches, batches)."""
    from newsletter.models import Delivery, Issue
    from newsletter.services.sending import issue_send_start
    from newsletter.tasks import issue_batch_send

    issue = Issue.objects.create(
        subject_de="KI-Newsletter Mai", body_de=BODY,
        subject_en="AI newsletter May", body_en=BODY.replace("Neues", "News"),
    )  # fmt: skip
    started = time.perf_counter()
    recipients = issue_send_start(issue, by=None)
    start_seconds = time.perf_counter() - started
    assert recipients == messages, recipients
    started, batches = time.perf_counter(), 0
    while Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).exists():
        issue_batch_send(issue.pk)  # the task body, in-process, as the worker runs it
        batches += 1
    seconds = time.perf_counter() - started
    sent = Delivery.objects.filter(issue=issue, status="sent").count()
    assert sent == messages == count.value, (sent, count.value)
    return start_seconds, seconds, batches


def prebuilt() -> list[tuple[str, str, bytes]]:
    """The engine's messages for every delivery, as bytes, for the baseline."""
    from newsletter.models import Delivery
    from newsletter.services.sending import message_for

    messages = []
    for delivery in Delivery.objects.select_related("issue", "user").order_by("pk"):
        message = message_for(
            delivery.issue, user=delivery.user, email=delivery.email, language=delivery.language
        )
        raw = message.message().as_bytes(linesep="\r\n")
        messages.append((message.from_email, delivery.email, raw))
    return messages


def smtplib_send(port: int, messages: list[tuple[str, str, bytes]]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for sender, recipient, raw in messages:
            smtp.sendmail(sender, [recipient], raw)
    return time.perf_counter() - started


def measure(port: int, count, n: int) -> dict:
    from django.conf import settings

    started = time.monotonic()
    people(n)
    print(f"[data] {n} people bulk-created in {time.monotonic() - started:.1f} s")
    print(f"[portal] batch size {settings.NEWSLETTER_BATCH_SIZE}, rate limit off, "
          f"sink aiosmtpd on 127.0.0.1:{port} (own process)")  # fmt: skip
    start_seconds, seconds, batches = portal_send(count, n)
    portal_rate = n / seconds
    print(f"[portal] start (recipients fixed, {n} delivery rows): {start_seconds:.2f} s")
    with_start = n / (seconds + start_seconds)
    print(f"[portal] {n} messages in {batches} batches: {seconds:.2f} s, "
          f"{portal_rate:.0f} messages/s ({with_start:.0f}/s counting the start)")  # fmt: skip
    messages = prebuilt()
    before = count.value
    baseline_seconds = smtplib_send(port, messages)
    assert count.value - before == n, count.value - before
    baseline = n / baseline_seconds
    print(f"[smtplib] the same {len(messages)} prebuilt messages over one connection: "
          f"{baseline_seconds:.2f} s, {baseline:.0f} messages/s")  # fmt: skip
    ratio = portal_rate / baseline
    ok = "PASS" if ratio >= TARGET else "FAIL"
    print(f"throughput_over_smtplib = {ratio:.3f} (target ≥ {TARGET}) {ok}")
    return {"throughput_over_smtplib": round(ratio, 3), "messages": n}


def main() -> int:
    from bench import arguments

    n = SMOKE_MESSAGES if arguments(__doc__).parse_args().smoke else MESSAGES
    for signum in (signal.SIGINT, signal.SIGTERM):  # clean up on both (SIGINT may be ignored)
        signal.signal(signum, signal.default_int_handler)
    fork = multiprocessing.get_context("fork")
    port, count, ready, stop = free_port(), fork.Value("l", 0), fork.Event(), fork.Event()
    sink_process = fork.Process(target=sink, args=(port, count, ready, stop), daemon=True)
    sink_process.start()  # before any thread or connection exists in this process
    data = Path(tempfile.mkdtemp(prefix="pbench-", dir="/tmp"))  # short: unix sockets
    for name in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_DATA_DIR=str(data),
        PORTAL_DEBUG="false",  # as a production worker runs: no query log per statement
        PORTAL_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        PORTAL_ALLOWED_HOSTS="portal.bench.example",
        PORTAL_SITE_URL="https://portal.bench.example",
        PORTAL_EMAIL_HOST="127.0.0.1",
        PORTAL_EMAIL_PORT=str(port),
        PORTAL_NEWSLETTER_RATE_PER_MINUTE="0",
    )
    from portal import stack

    redis = connections = None
    try:
        if not ready.wait(30):
            raise RuntimeError("the SMTP sink did not start")
        socket_dir = stack.start_postgres(data / "pg")
        redis = stack.start_redis(data / "redis")
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        from django.db import connections

        settings.DATABASES["default"]["HOST"] = str(socket_dir)
        call_command("migrate", verbosity=0)
        figures = measure(port, count, n)
    finally:
        stop.set()
        sink_process.join(timeout=10)
        if connections is not None:
            connections.close_all()
        if redis is not None:
            stack.stop_redis(redis)
        stack.stop_postgres(data / "pg")
        shutil.rmtree(data, ignore_errors=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if not __package__:  # as a script, bench/ would come first on sys.path
        sys.exit("run it from the project root: python -m bench.newsletter")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (stack, sink and data dir removed)")
