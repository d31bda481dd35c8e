"""Booking mails with a valid .ics (parsed back with `icalendar`), reminders once, the feed."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from rollout.events.calendar import calendar_token_replace, feed_render
from rollout.models import Booking, OfficeHour
from rollout.officehours import hooks as officehour_hooks
from rollout.officehours.booking import booking_cancel, booking_create, booking_rebook
from rollout.officehours.mail import booking_mail
from rollout.officehours.services import officehour_cancel, officehour_generate, officehour_save
from rollout.officehours.tasks import booking_reminders_send

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
FIRST = datetime(2026, 10, 22, 12, 0, tzinfo=UTC)  # 14:00 in Berlin (summer time)


def _office_hour(host, **fields) -> OfficeHour:
    defaults = {
        "topic": "KI-Sprechstunde: Prompting, Tipps; Tricks",
        "description": "Bringt eure Fragen mit.\nAuch Anfänger:innen willkommen.",
        "location": "",
        "online_url": "https://meet.firma.test/ki-sprechstunde",
        "first_date": date(2026, 10, 22),
        "start_time": time(14),
        "end_time": time(15),
        "slot_minutes": 20,
    }
    defaults.update(fields)
    office_hour = OfficeHour.objects.create(host=host, **defaults)
    officehour_generate(office_hour)
    return office_hour


def _run(callbacks) -> list[tuple]:
    """Run the captured `delay_on_commit` calls as the worker would; return their arguments."""
    sent = []
    for callback in callbacks:
        task = callback.func.__self__
        task(*callback.args, **callback.keywords)
        sent.append((task.name.rsplit(".", 1)[-1], *callback.args))
    return sent


def _event(message) -> tuple[str, icalendar.cal.Component]:
    (part,) = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
    text = part.get_payload(decode=True)
    assert b"\n" not in text.replace(b"\r\n", b"")  # CRLF line ends only
    assert all(len(line) <= 75 for line in text.split(b"\r\n"))  # folded
    calendar = icalendar.Calendar.from_ical(text)
    assert part.get_param("method") == str(calendar["METHOD"])
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


@pytest.fixture
def booked(bob, alice, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(NOW, tick=False)
    alice.preferred_language = "en"
    alice.save()
    office_hour = _office_hour(bob)
    slot = office_hour.slots.order_by("starts_at").first()
    with django_capture_on_commit_callbacks() as callbacks:
        booking = booking_create(
            slot=slot, user=alice, topic="Angebote, Prompts; Vorlagen\nZeile 2"
        )
    assert _run(callbacks) == [("officehour_booking_mail", booking.pk, "confirmed")]
    return booking


def test_confirmation_carries_a_valid_request(booked) -> None:
    (message,) = mail.outbox
    assert message.to == ["alice@firma.test"]
    assert message.subject.startswith("Booked: KI-Sprechstunde: Prompting")
    assert "https://meet.firma.test/ki-sprechstunde" in message.body
    assert "Your topic: Angebote, Prompts; Vorlagen" in message.body
    method, event = _event(message)
    assert method == "REQUEST"
    assert event["DTSTART"].dt == FIRST
    assert event["DTEND"].dt == FIRST + timedelta(minutes=20)
    assert str(event["SUMMARY"]) == "KI-Sprechstunde: Prompting, Tipps; Tricks"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["UID"]).startswith(f"officehour-booking-{booked.pk}@")
    assert "Angebote, Prompts; Vorlagen\nZeile 2" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://meet.firma.test/ki-sprechstunde"
    assert str(event["ATTENDEE"]) == "mailto:alice@firma.test"


def test_cancellation_by_the_person_and_rebooking(
    booked, alice, django_capture_on_commit_callbacks
) -> None:
    first_sequence = int(_event(mail.outbox[0])[1]["SEQUENCE"])
    slots = list(booked.slot.office_hour.slots.order_by("starts_at"))
    with django_capture_on_commit_callbacks() as callbacks:
        moved = booking_rebook(booking=booked, slot=slots[1], by=alice)
        booking_cancel(booking=moved, by=alice)
    assert _run(callbacks) == [
        ("officehour_booking_mail", booked.pk, "rebooked"),
        ("officehour_booking_mail", moved.pk, "confirmed"),  # no longer true: not sent
        ("officehour_booking_mail", moved.pk, "cancelled"),
    ]
    _confirmation, rebooked, cancelled = mail.outbox
    method, event = _event(rebooked)
    assert (method, str(event["STATUS"])) == ("CANCEL", "CANCELLED")
    assert str(event["UID"]).startswith(f"officehour-booking-{booked.pk}@")
    assert int(event["SEQUENCE"]) >= first_sequence
    assert "meet.firma.test" not in str(event.get("DESCRIPTION"))  # no link once cancelled
    method, event = _event(cancelled)
    assert method == "CANCEL" and str(event["UID"]).startswith(f"officehour-booking-{moved.pk}@")
    assert cancelled.subject.startswith("Cancelled: ")


def test_host_cancels_and_people_are_told(
    booked, bob, charlie, django_capture_on_commit_callbacks
) -> None:
    office_hour = booked.slot.office_hour
    other = Booking.objects.create(
        slot=office_hour.slots.order_by("starts_at")[2], user=charlie, topic="Frage"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert officehour_cancel(office_hour=office_hour, by=bob) == 2
    assert sorted(_run(callbacks)) == sorted(
        [
            ("officehour_booking_mail", booked.pk, "cancelled_by_host"),
            ("officehour_booking_mail", other.pk, "cancelled_by_host"),
        ]
    )
    told = {m.to[0]: m for m in mail.outbox[1:]}
    assert set(told) == {"alice@firma.test", "charlie@firma.test"}
    assert "the host had to cancel" in told["alice@firma.test"].body
    assert _event(told["alice@firma.test"])[0] == "CANCEL"


def test_new_room_sends_an_update(
    booked, bob, django_capture_on_commit_callbacks, time_machine
) -> None:
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    office_hour = booked.slot.office_hour
    fields = {
        f: getattr(office_hour, f)
        for f in ("topic", "description", "online_url", "first_date", "start_time", "end_time")
    }
    fields.update(slot_minutes=20, weekly=False, interval_weeks=1, until=None)
    with django_capture_on_commit_callbacks() as callbacks:
        officehour_save(office_hour=office_hour, by=bob, **{**fields, "location": "Raum 2.14"})
    assert _run(callbacks) == [("officehour_booking_mail", booked.pk, "changed")]
    method, event = _event(mail.outbox[-1])
    assert (method, str(event["LOCATION"])) == ("REQUEST", "Raum 2.14")
    assert int(event["SEQUENCE"]) > int(_event(mail.outbox[0])[1]["SEQUENCE"])  # replaces it


def test_stale_or_unknown_mails_are_not_sent(booked, alice) -> None:
    mail.outbox.clear()
    assert not booking_mail(booking_id=booked.pk, kind="cancelled")  # it is not cancelled
    assert not booking_mail(booking_id=booked.pk, kind="nonsense")
    assert not booking_mail(booking_id=999999, kind="confirmed")
    alice.is_active = False
    alice.save()
    assert not booking_mail(booking_id=booked.pk, kind="reminder")
    assert mail.outbox == []


def test_reminder_once_in_the_window(booked, charlie, time_machine) -> None:
    slots = list(booked.slot.office_hour.slots.order_by("starts_at"))
    cancelled = Booking.objects.create(
        slot=slots[1], user=charlie, topic="Abgesagt", cancelled_at=NOW
    )
    mail.outbox.clear()
    time_machine.move_to(FIRST - timedelta(hours=24, minutes=1), tick=False)
    assert booking_reminders_send() == 0  # just before the window
    time_machine.move_to(FIRST - timedelta(hours=23, minutes=50), tick=False)
    assert booking_reminders_send() == 1
    (reminder,) = mail.outbox
    assert reminder.to == ["alice@firma.test"]
    assert reminder.subject.startswith("Reminder: ")
    assert _event(reminder)[0] == "REQUEST"
    time_machine.move_to(FIRST - timedelta(hours=23, minutes=35), tick=False)
    assert booking_reminders_send() == 0  # the next beat: already reminded
    time_machine.move_to(FIRST + timedelta(minutes=5), tick=False)
    assert booking_reminders_send() == 0
    assert len(mail.outbox) == 1
    assert Booking.objects.get(pk=cancelled.pk).reminded_at is None


def test_a_booking_close_to_the_start_is_its_own_reminder(bob, charlie, time_machine) -> None:
    time_machine.move_to(FIRST - timedelta(hours=3), tick=False)
    slot = _office_hour(bob).slots.order_by("starts_at").first()
    booking = booking_create(slot=slot, user=charlie, topic="Kurzfristig")
    assert booking.reminded_at is not None
    assert booking_reminders_send() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_reminder_runs_send_once(bob, alice, time_machine) -> None:
    time_machine.move_to(FIRST - timedelta(hours=20), tick=False)
    slot = _office_hour(bob).slots.order_by("starts_at").first()
    Booking.objects.create(slot=slot, user=alice, topic="Prompts")
    barrier, sent = threading.Barrier(3), []

    def run() -> None:
        try:
            barrier.wait()
            sent.append(booking_reminders_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(sent) == [0, 0, 1]
    assert len(mail.outbox) == 1


def test_booked_slots_in_the_personal_feed(booked, bob, alice, charlie) -> None:
    officehour_hooks.register()  # the app config does this at start-up
    officehour_hooks.register()  # twice is harmless
    feed = icalendar.Calendar.from_ical(feed_render(alice))
    (entry,) = [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("officehour-")]
    assert entry["DTSTART"].dt == FIRST
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert "ATTENDEE" not in entry
    hosted = icalendar.Calendar.from_ical(feed_render(bob))
    (entry,) = [e for e in hosted.walk("VEVENT") if str(e["UID"]).startswith("officehour-")]
    # The feed leaves the portal without a login: booked, never by whom or why.
    assert str(entry["SUMMARY"]).endswith(": gebucht")
    assert "/sprechstunden/agenda/" in str(entry["DESCRIPTION"])
    for feed_of in (alice, bob):
        text = feed_render(feed_of)
        assert "Alice Schneider" not in text and "Angebote" not in text and "Prompts" not in text
    assert not [
        e
        for e in icalendar.Calendar.from_ical(feed_render(charlie)).walk("VEVENT")
        if str(e["UID"]).startswith("officehour-")
    ]
    token = calendar_token_replace(user=alice).token
    response = Client().get(f"/termine/kalender/{token}.ics")
    assert response.status_code == 200
    assert b"officehour-booking-" in response.content
    booking_cancel(booking=booked, by=alice)
    assert b"officehour-" not in feed_render(alice).encode()
