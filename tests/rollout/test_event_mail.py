"""Mails about registrations: sent after the commit, in the person's language, with an .ics."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from portal.tasks import MAIL_ERRORS
from rollout.events.services import registration_cancel, registration_create
from rollout.events.tasks import event_registration_mail
from rollout.models import Event, Registration

pytestmark = pytest.mark.django_db
START = datetime(2026, 10, 15, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


def _event(**fields) -> Event:
    defaults = {
        "kind": Event.Kind.WORKSHOP,
        "title": "Early-Adopter-Workshop: Prompting",
        "starts_at": START,
        "ends_at": START + timedelta(hours=3),
        "capacity": 1,
        "location": "Schulungsraum 2",
    }
    defaults.update(fields)
    return Event.objects.create(**defaults)


def _run(callbacks) -> list[tuple]:
    """Run the captured `delay_on_commit` calls as the worker would; return their arguments."""
    sent = []
    for callback in callbacks:
        task = callback.func.__self__
        task(*callback.args, **callback.keywords)
        sent.append((task.name.rsplit(".", 1)[-1], *callback.args))
    return sent


def _ics(message) -> icalendar.Calendar:
    (part,) = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
    assert part.get_filename() == "event.ics"
    text = part.get_payload(decode=True)
    assert b"\r\n" in text and b"\n" not in text.replace(b"\r\n", b"")
    calendar = icalendar.Calendar.from_ical(text)
    assert part.get_param("method") == str(calendar["METHOD"])
    return calendar


def test_confirmation_waitlist_move_up_and_cancellation(
    alice, bob, django_capture_on_commit_callbacks, time_machine
) -> None:
    time_machine.move_to(START - timedelta(days=10), tick=False)
    bob.preferred_language = "en"
    bob.save()
    event = _event()
    with django_capture_on_commit_callbacks() as callbacks:
        first = registration_create(event=event, user=alice)
        second = registration_create(event=event, user=bob)
    assert _run(callbacks) == [
        ("event_registration_mail", first.pk, "confirmed"),
        ("event_registration_mail", second.pk, "waitlisted"),
    ]
    confirmation, waitlisted = mail.outbox
    assert confirmation.to == ["alice@firma.test"]
    assert confirmation.subject.endswith(": Early-Adopter-Workshop: Prompting")
    assert "http://localhost:8000/termine/" in confirmation.body
    assert waitlisted.to == ["bob@firma.test"]
    assert waitlisted.subject.startswith("Waiting list:")  # bob reads English
    request = _ics(confirmation)
    assert str(request["METHOD"]) == "REQUEST"
    (vevent,) = request.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent["DTSTART"].dt == START
    assert str(vevent["LOCATION"]) == "Schulungsraum 2"
    tentative = _ics(waitlisted).walk("VEVENT")[0]
    assert str(tentative["STATUS"]) == "TENTATIVE"

    time_machine.move_to(START - timedelta(days=9), tick=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        registration_cancel(registration=first, by=alice)
    kinds = [args[2] for args in _run(callbacks)]
    assert kinds == ["cancelled", "moved_up"]
    cancellation, moved_up = mail.outbox
    cancel = _ics(cancellation)
    assert str(cancel["METHOD"]) == "CANCEL"
    (cancelled,) = cancel.walk("VEVENT")
    assert str(cancelled["UID"]) == str(vevent["UID"])  # the same calendar entry …
    assert int(cancelled["SEQUENCE"]) > int(vevent["SEQUENCE"])  # … in a later version
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert moved_up.to == ["bob@firma.test"] and moved_up.subject.startswith("You have a seat")
    seat = _ics(moved_up).walk("VEVENT")[0]
    assert str(seat["UID"]) == str(tentative["UID"])
    assert int(seat["SEQUENCE"]) > int(tentative["SEQUENCE"])
    assert str(seat["STATUS"]) == "CONFIRMED"


def test_a_mail_that_is_no_longer_true_is_not_sent(
    alice, django_capture_on_commit_callbacks
) -> None:
    event = _event(
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = registration_create(event=event, user=alice)
    registration_cancel(registration=registration, by=alice)
    _run(callbacks)  # the "you have a seat" mail arrives late: the seat is gone
    assert mail.outbox == []
    event_registration_mail(registration.pk, "cancelled")
    event_registration_mail(999999, "confirmed")  # a vanished registration: quietly nothing
    event_registration_mail(registration.pk, "bogus")
    assert len(mail.outbox) == 1


def test_online_link_only_for_a_seat_and_no_newline_in_the_subject(alice, bob) -> None:
    start = timezone.now() + timedelta(days=3)
    event = _event(
        title="Runde\nmit Zeilenumbruch & <Sonderzeichen>",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        location="",
        online_url="https://meet.firma.test/runde",
    )
    seat = Registration.objects.create(event=event, user=alice, status="confirmed")
    waiting = Registration.objects.create(event=event, user=bob, status="waitlisted")
    event_registration_mail(seat.pk, "confirmed")
    event_registration_mail(waiting.pk, "waitlisted")
    to_seat, to_waiting = mail.outbox
    assert "\n" not in to_seat.subject
    assert "& <Sonderzeichen>" in to_seat.body  # plain text, not HTML-escaped
    assert "https://meet.firma.test/runde" in to_seat.body
    assert "https://meet.firma.test/runde" not in to_waiting.body
    assert "meet.firma.test" not in _ics(to_waiting).to_ical().decode()


def test_mail_task_retries_only_transient_errors() -> None:
    assert event_registration_mail.autoretry_for == MAIL_ERRORS
