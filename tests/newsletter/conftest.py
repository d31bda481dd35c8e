"""A real SMTP server on loopback (aiosmtpd) for the newsletter tests, and small helpers."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from newsletter.models import Issue
from newsletter.services import sending
from newsletter.services.ratelimit import RateLimiter


@dataclass
class Received:
    session: int  # which SMTP connection carried it (1, 2, …)
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """aiosmtpd handler: records what it accepted; can refuse, defer, drop or stall."""

    received: list[Received] = field(default_factory=list)
    sessions: int = 0
    refuse: set[str] = field(default_factory=set)  # 550 at RCPT
    defer_once: set[str] = field(default_factory=set)  # 451 at RCPT, once per address
    drop_after: int | None = None  # close the connection at the DATA after N accepted mails
    stall_after: int | None = None  # do not answer the DATA after N accepted mails …
    stalled: threading.Event = field(default_factory=threading.Event)
    unstall: threading.Event = field(default_factory=threading.Event)  # … until this is set
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def recipients(self) -> list[str]:
        return [rcpt for mail in self.received for rcpt in mail.rcpt_tos]

    def to(self, address: str) -> EmailMessage:
        (message,) = [m.message for m in self.received if address in m.rcpt_tos]
        return message

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
            session.number = self.sessions
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if address in self.defer_once:
            self.defer_once.discard(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_after is not None and len(self.received) >= self.stall_after:
            self.stalled.set()
            for _ in range(36_000):  # the client waits; the test kills it or lets it go
                if self.unstall.is_set():
                    break
                await asyncio.sleep(0.1)
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            self.drop_after = None  # only once: the retry goes through
            server.transport.close()
            return "421 4.3.2 Closing"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(
                Received(
                    getattr(session, "number", 0), envelope.mail_from, envelope.rcpt_tos, parsed
                )
            )
        return "250 OK: queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.NEWSLETTER_RATE_PER_MINUTE = 0  # the rate tests set their own
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server) -> Recorder:
    return smtp_server[0]


@pytest.fixture(autouse=True)
def enqueued(monkeypatch) -> list[tuple]:
    """Batch tasks the code queued (not sent to the broker); tests run batches themselves."""
    from newsletter.tasks import issue_batch_send

    calls: list[tuple] = []
    monkeypatch.setattr(
        issue_batch_send, "apply_async", lambda args, **options: calls.append((args, options))
    )
    RateLimiter(1).reset()
    client = cache._cache.get_client(write=True)  # the real Redis outlives each test
    for key in client.keys("*newsletter:batch-pending:*"):
        client.delete(key)
    return calls


def drain(issue: Issue, *, limiter: RateLimiter | None = None, rounds: int = 50) -> list:
    """Run batches as the worker chain would, until nothing is queued; return the outcomes."""
    outcomes = []
    for _ in range(rounds):
        outcome = sending.batch_send(issue.pk, limiter=limiter)
        outcomes.append(outcome)
        if not outcome.more:
            break
    issue.refresh_from_db()
    return outcomes
