"""Office-hour slots: Berlin local time across the DST change, idempotent, edits, cancelling."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from portal.models import AuditEntry
from rollout.models import Booking, OfficeHour, OfficeHourSlot
from rollout.officehours.services import (
    OfficeHourError,
    officehour_cancel,
    officehour_generate,
    officehour_rhythm,
    officehour_save,
    slot_cancel,
)
from rollout.officehours.tasks import office_hour_slots_generate

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def _fields(**overrides) -> dict:
    fields = {
        "topic": "KI-Sprechstunde: Prompting",
        "description": "Fragen rund ums Prompting.",
        "location": "Raum 2.14",
        "online_url": "",
        "first_date": date(2026, 10, 22),  # a Thursday; on 2026-10-25 the clocks go back
        "start_time": time(14, 0),
        "end_time": time(16, 0),
        "slot_minutes": 20,
        "weekly": True,
        "interval_weeks": 1,
        "until": None,
    }
    fields.update(overrides)
    return fields


def _local(slots) -> list[datetime]:
    return [s.starts_at.astimezone(BERLIN) for s in slots]


@pytest.mark.django_db
def test_weekly_slots_stay_at_14_berlin_across_the_dst_change(bob, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    office_hour, created, kept = officehour_save(office_hour=None, by=bob, **_fields())
    # Thursdays 2026-10-22 … 2026-12-24 (90 days ahead), six 20-minute slots each.
    assert (created, kept) == (60, 0)
    slots = list(office_hour.slots.order_by("starts_at"))
    local = _local(slots)
    assert sorted({d.date() for d in local}) == [
        date(2026, 10, 22) + timedelta(weeks=n) for n in range(10)
    ]
    assert {(d.weekday(), d.strftime("%H:%M")) for d in local} == {
        (3, t) for t in ("14:00", "14:20", "14:40", "15:00", "15:20", "15:40")
    }
    assert slots[0].starts_at == datetime(2026, 10, 22, 12, 0, tzinfo=UTC)  # summer time, UTC+2
    after_change = [s for s in slots if s.starts_at.astimezone(BERLIN).date() == date(2026, 10, 29)]
    assert after_change[0].starts_at == datetime(2026, 10, 29, 13, 0, tzinfo=UTC)  # UTC+1
    assert all(s.ends_at - s.starts_at == timedelta(minutes=20) for s in slots)
    assert AuditEntry.objects.filter(action="officehour.created").count() == 1


@pytest.mark.django_db
def test_one_off_interval_and_until(bob, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    one_off, created, _ = officehour_save(
        office_hour=None,
        by=bob,
        **_fields(
            topic="Protokollgenerator ausprobieren",
            weekly=False,
            interval_weeks=3,  # ignored for a one-off
            until=date(2026, 12, 1),
            first_date=date(2027, 2, 4),  # beyond the 90 days: a one-off gets its day anyway
            end_time=time(15, 0),
            slot_minutes=30,
        ),
    )
    assert created == 2
    assert (one_off.interval_weeks, one_off.until) == (1, None)
    fortnightly, created, _ = officehour_save(
        office_hour=None,
        by=bob,
        **_fields(
            topic="Datenschutz-Sprechstunde",
            first_date=date(2026, 10, 6),  # a Tuesday
            start_time=time(10),
            end_time=time(11),
            slot_minutes=30,
            interval_weeks=2,
            until=date(2026, 11, 17),
        ),
    )
    days = sorted({d.date() for d in _local(fortnightly.slots.all())})
    assert days == [date(2026, 10, 6), date(2026, 10, 20), date(2026, 11, 3), date(2026, 11, 17)]
    assert created == 8
    with translation.override("en"):
        assert officehour_rhythm(fortnightly).startswith("every second Tuesday, 10")
        assert "slots of 30 minutes" in officehour_rhythm(one_off)


@pytest.mark.django_db
def test_a_slot_that_does_not_fit_is_not_created(bob, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    office_hour, created, _ = officehour_save(
        office_hour=None, by=bob, **_fields(weekly=False, end_time=time(15, 10), slot_minutes=20)
    )
    assert created == 3  # 14:00, 14:20, 14:40; 15:00–15:20 would run past 15:10
    assert office_hour.slots.order_by("-ends_at").first().ends_at.astimezone(BERLIN).time() == time(
        15, 0
    )


@pytest.mark.django_db
def test_generation_is_idempotent_and_the_nightly_task_extends(bob, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    office_hour, _, _ = officehour_save(office_hour=None, by=bob, **_fields())
    assert officehour_generate(office_hour) == 0
    assert office_hour_slots_generate() == 0
    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    assert office_hour_slots_generate() == 6  # one more Thursday came into the horizon
    paused = OfficeHour.objects.create(host=bob, **_fields(topic="Pausiert", active=False))
    assert officehour_generate(paused) == 0
    over = OfficeHour.objects.create(
        host=bob, **_fields(topic="Vorbei", first_date=date(2026, 9, 3), weekly=False)
    )
    assert office_hour_slots_generate() == 0
    assert not over.slots.exists()  # nothing in the past is created


@pytest.mark.django_db
def test_edit_moves_free_slots_and_keeps_booked_ones(bob, alice, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    office_hour, _, _ = officehour_save(
        office_hour=None, by=bob, **_fields(until=date(2026, 11, 5))
    )
    first = office_hour.slots.order_by("starts_at").first()  # 2026-10-22 14:00
    Booking.objects.create(slot=first, user=alice, topic="Prompts für Angebote")
    cancelled = office_hour.slots.order_by("starts_at")[6]  # 2026-10-29 14:00
    slot_cancel(slot=cancelled, by=bob)
    # One hour later, 30-minute slots.
    _saved, created, kept = officehour_save(
        office_hour=office_hour,
        by=bob,
        **_fields(
            start_time=time(15), end_time=time(16, 30), slot_minutes=30, until=date(2026, 11, 5)
        ),
    )
    assert kept == 1
    live = office_hour.slots.filter(cancelled=False).order_by("starts_at")
    by_day: dict[date, list[str]] = {}
    for moment in _local(live):
        by_day.setdefault(moment.date(), []).append(moment.strftime("%H:%M"))
    assert by_day == {
        date(2026, 10, 22): ["14:00", "15:00", "15:30", "16:00"],  # the booked slot stays
        date(2026, 10, 29): ["15:00", "15:30", "16:00"],
        date(2026, 11, 5): ["15:00", "15:30", "16:00"],
    }
    assert created == 9
    assert Booking.objects.get().slot_id == first.pk
    assert OfficeHourSlot.objects.filter(pk=cancelled.pk, cancelled=True).exists()
    entry = AuditEntry.objects.get(action="officehour.changed")
    assert set(entry.details["fields"]) == {"start_time", "end_time", "slot_minutes"}


@pytest.mark.django_db
def test_new_slots_do_not_overlap_a_kept_booking(bob, alice, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    office_hour, _, _ = officehour_save(office_hour=None, by=bob, **_fields(weekly=False))
    booked = office_hour.slots.order_by("starts_at")[1]  # 14:20–14:40
    Booking.objects.create(slot=booked, user=alice, topic="Frage")
    officehour_save(office_hour=office_hour, by=bob, **_fields(weekly=False, slot_minutes=30))
    local = [(s.strftime("%H:%M")) for s in _local(office_hour.slots.order_by("starts_at"))]
    assert local == ["14:20", "15:00", "15:30"]  # 14:00–14:30 and 14:30–15:00 would overlap


@pytest.mark.django_db
def test_cancel_slot_and_whole_office_hour(bob, alice, charlie, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    office_hour, _, _ = officehour_save(office_hour=None, by=bob, **_fields())
    one, two = office_hour.slots.order_by("starts_at")[:2]
    Booking.objects.create(slot=one, user=alice, topic="A")
    Booking.objects.create(slot=two, user=charlie, topic="B")
    assert slot_cancel(slot=one, by=bob) == 1
    with pytest.raises(OfficeHourError):
        slot_cancel(slot=one, by=bob)
    assert Booking.objects.get(user=alice).cancelled_at is not None
    assert officehour_cancel(office_hour=office_hour, by=bob) == 1
    with pytest.raises(OfficeHourError):
        officehour_cancel(office_hour=office_hour, by=bob)
    assert not office_hour.slots.filter(cancelled=False).exists()
    assert not Booking.objects.filter(cancelled_at__isnull=True).exists()
    assert officehour_generate(office_hour) == 0  # a cancelled office hour gets no new slots
    with pytest.raises(OfficeHourError):
        officehour_save(office_hour=office_hour, by=bob, **_fields(topic="Neu"))


@pytest.mark.django_db
def test_database_refuses_bad_rows(bob) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeHour.objects.create(host=bob, **_fields(start_time=time(16), end_time=time(14)))
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeHour.objects.create(host=bob, **_fields(slot_minutes=241))
    office_hour = OfficeHour.objects.create(host=bob, **_fields())
    start = datetime(2026, 10, 22, 12, 0, tzinfo=UTC)
    OfficeHourSlot.objects.create(
        office_hour=office_hour, starts_at=start, ends_at=start + timedelta(minutes=20)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeHourSlot.objects.create(
            office_hour=office_hour, starts_at=start, ends_at=start + timedelta(minutes=20)
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_generators_at_once_create_each_slot_once(bob, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    office_hour = OfficeHour.objects.create(host=bob, **_fields())
    barrier = threading.Barrier(3)
    results: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(officehour_generate(office_hour))
        except Exception as e:  # collected and asserted below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [0, 0, 60]
    assert office_hour.slots.count() == 60
