"""Reminders by Celery beat: 24 hours ahead, confirmed seats only, exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection

from rollout.events.services import registration_create
from rollout.events.tasks import event_reminders_send
from rollout.models import Event, Registration
from tests.factories import UserFactory

START = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def _event(start: datetime = START, capacity: int = 10) -> Event:
    return Event.objects.create(
        kind=Event.Kind.TRAINING,
        title="Training: Guardrails",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        location="Schulungsraum 1",
    )


@pytest.mark.django_db
def test_reminder_window_states_and_once_only(alice, bob, charlie, walter, time_machine) -> None:
    time_machine.move_to(START - timedelta(days=5), tick=False)
    event = _event()
    Registration.objects.create(event=event, user=alice, status="confirmed")
    Registration.objects.create(event=event, user=bob, status="cancelled")
    Registration.objects.create(event=event, user=charlie, status="waitlisted")
    past = _event(START - timedelta(days=6))
    Registration.objects.create(event=past, user=walter, status="confirmed")

    time_machine.move_to(START - timedelta(hours=24, minutes=1), tick=False)
    assert event_reminders_send() == 0  # not yet: just before the window
    assert mail.outbox == []

    time_machine.move_to(START - timedelta(hours=23, minutes=50), tick=False)
    assert event_reminders_send() == 1
    (reminder,) = mail.outbox
    assert reminder.to == ["alice@firma.test"]
    (ics,) = [a for a in reminder.attachments if a.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert calendar.walk("VEVENT")[0]["DTSTART"].dt == START

    time_machine.move_to(START - timedelta(hours=23, minutes=35), tick=False)
    assert event_reminders_send() == 0  # the next beat: already reminded
    time_machine.move_to(START + timedelta(minutes=5), tick=False)
    assert event_reminders_send() == 0  # started: nothing for running or past events
    assert len(mail.outbox) == 1
    assert Registration.objects.get(event=past, user=walter).reminded_at is None


@pytest.mark.django_db
def test_confirmation_inside_the_window_counts_as_the_reminder(alice, time_machine) -> None:
    time_machine.move_to(START - timedelta(hours=3), tick=False)
    event = _event()
    registration = registration_create(event=event, user=alice)
    assert registration.reminded_at is not None
    assert event_reminders_send() == 0


@pytest.mark.django_db
def test_a_new_start_time_means_a_new_reminder(alice, ada, time_machine) -> None:
    from rollout.events.services import event_update

    time_machine.move_to(START - timedelta(hours=20), tick=False)
    event = _event()
    Registration.objects.create(event=event, user=alice, status="confirmed")
    assert event_reminders_send() == 1
    later = START + timedelta(days=1)
    event_update(event=event, by=ada, starts_at=later, ends_at=later + timedelta(hours=2))
    time_machine.move_to(later - timedelta(hours=20), tick=False)
    assert event_reminders_send() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_runs_send_each_reminder_once(time_machine) -> None:
    time_machine.move_to(START - timedelta(hours=12), tick=False)
    event = _event(capacity=30)
    people = [UserFactory(email=f"p{i}@firma.test") for i in range(20)]
    Registration.objects.bulk_create(
        [Registration(event=event, user=p, status="confirmed") for p in people]
    )
    start = threading.Barrier(4)
    counts: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            start.wait()
            counts.append(event_reminders_send())
        except Exception as e:  # collected and asserted below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert not Registration.objects.filter(reminded_at__isnull=True).exists()


@pytest.mark.django_db
def test_one_beat_task_reminds_of_every_kind_and_retries_a_failed_mail(
    alice, bob, charlie, monkeypatch, time_machine
) -> None:
    import smtplib
    from datetime import date, time

    from django.conf import settings
    from django.core.mail.backends.locmem import EmailBackend

    from portal.celery import app
    from rollout.common.tasks import reminders_send
    from rollout.models import Booking, OfficeHour
    from rollout.officehours.services import officehour_generate

    assert settings.PERIODIC_TASKS["reminders"][0] == reminders_send.name
    assert reminders_send.name in app.tasks
    time_machine.move_to(START - timedelta(days=5), tick=False)
    event = _event()
    Registration.objects.create(event=event, user=alice, status="confirmed")
    office_hour = OfficeHour.objects.create(
        host=bob,
        topic="KI-Sprechstunde",
        online_url="https://meet.firma.test/ki",
        first_date=date(2026, 11, 10),
        start_time=time(14),
        end_time=time(15),
        slot_minutes=30,
    )
    officehour_generate(office_hour)
    slot = office_hour.slots.order_by("starts_at").first()
    Booking.objects.create(slot=slot, user=charlie, topic="Prompts")

    real_send = EmailBackend.send_messages
    failures = iter([True])  # the first mail of the run fails, as a full mail queue would

    def flaky_send(self, messages):
        if next(failures, False):
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky_send)
    time_machine.move_to(START - timedelta(hours=1), tick=False)
    assert reminders_send() == 1  # one went out, the other was released for the next run
    assert reminders_send() == 1
    assert reminders_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@firma.test", "charlie@firma.test"]
    assert not Registration.objects.filter(event=event, reminded_at__isnull=True).exists()
    assert not Booking.objects.filter(reminded_at__isnull=True).exists()
