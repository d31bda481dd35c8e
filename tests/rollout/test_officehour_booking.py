"""Booking slots: one booking per slot (also under load), no overlaps, cancel and rebook."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from portal.models import AuditEntry
from rollout.models import Booking, OfficeHour, OfficeHourSlot
from rollout.officehours.booking import BookingError, booking_cancel, booking_create, booking_rebook
from rollout.officehours.services import officehour_generate, slot_cancel
from tests.factories import UserFactory


def _office_hour(host, topic: str = "KI-Sprechstunde: Prompting", **fields) -> OfficeHour:
    defaults = {
        "first_date": timezone.localdate() + timedelta(days=7),
        "start_time": time(14),
        "end_time": time(16),
        "slot_minutes": 20,
        "location": "Raum 2.14",
    }
    defaults.update(fields)
    office_hour = OfficeHour.objects.create(host=host, topic=topic, **defaults)
    officehour_generate(office_hour)
    return office_hour


def _slots(office_hour: OfficeHour) -> list[OfficeHourSlot]:
    return list(office_hour.slots.order_by("starts_at"))


def _refused(call, *args, **kwargs) -> str:
    with pytest.raises(BookingError) as refused, translation.override("en"):
        call(*args, **kwargs)
    return str(refused.value)


@pytest.mark.django_db
def test_book_cancel_and_book_again(bob, alice, charlie) -> None:
    slot = _slots(_office_hour(bob))[0]
    booking = booking_create(slot=slot, user=alice, topic="  Prompts für Angebote  ")
    assert booking.topic == "Prompts für Angebote"
    assert booking.reminded_at is None  # a week ahead: the reminder comes later
    assert "just taken" in _refused(booking_create, slot=slot, user=charlie, topic="Ich auch")
    assert "already booked this slot" in _refused(booking_create, slot=slot, user=alice, topic="x")
    booking_cancel(booking=booking, by=alice)
    assert "already cancelled" in _refused(booking_cancel, booking=booking, by=alice)
    again = booking_create(slot=slot, user=charlie, topic="Ich auch")
    assert again.pk != booking.pk
    assert Booking.objects.filter(slot=slot, cancelled_at__isnull=True).get() == again
    ours = AuditEntry.objects.filter(action__startswith="officehour.").order_by("pk")
    actions = list(ours.values_list("action", flat=True))
    assert actions == ["officehour.booked", "officehour.booking_cancelled", "officehour.booked"]
    assert all("topic" not in e.details for e in ours)  # ids, never content


@pytest.mark.django_db
def test_what_cannot_be_booked(bob, alice) -> None:
    first, second, *_ = _slots(_office_hour(bob))
    assert "host this" in _refused(booking_create, slot=first, user=bob, topic="Selbst")
    assert "say in a few words" in _refused(booking_create, slot=first, user=alice, topic="   ")
    assert "300 characters" in _refused(booking_create, slot=first, user=alice, topic="x" * 301)
    slot_cancel(slot=second, by=bob)
    assert "no longer offered" in _refused(booking_create, slot=second, user=alice, topic="Frage")
    OfficeHourSlot.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(minutes=15),
    )
    assert "already begun" in _refused(booking_create, slot=first, user=alice, topic="Frage")
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_a_person_cannot_book_two_overlapping_slots(bob, rita, alice) -> None:
    prompting = _slots(_office_hour(bob))
    privacy = _slots(
        _office_hour(rita, "Datenschutz-Sprechstunde", start_time=time(14, 10), slot_minutes=30)
    )
    booking_create(slot=prompting[0], user=alice, topic="Prompts")  # 14:00–14:20
    message = _refused(booking_create, slot=privacy[0], user=alice, topic="DSGVO")  # 14:10–14:40
    assert "already have a booking at this time: KI-Sprechstunde: Prompting" in message
    assert booking_create(slot=prompting[1], user=alice, topic="Noch eine Frage")  # 14:20: adjacent
    assert Booking.objects.filter(user=alice).count() == 2


@pytest.mark.django_db
def test_rebook_moves_the_booking_in_one_step(bob, alice, charlie) -> None:
    slots = _slots(_office_hour(bob))
    booking = booking_create(slot=slots[0], user=alice, topic="Prompts für Angebote")
    moved = booking_rebook(booking=booking, slot=slots[2], by=alice)
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    assert (moved.slot, moved.topic, moved.user) == (slots[2], "Prompts für Angebote", alice)
    # The new slot is taken: nothing changes, the current booking stays.
    booking_create(slot=slots[3], user=charlie, topic="Meins")
    assert "just taken" in _refused(booking_rebook, booking=moved, slot=slots[3], by=alice)
    moved.refresh_from_db()
    assert moved.cancelled_at is None
    assert "current slot" in _refused(booking_rebook, booking=moved, slot=slots[2], by=alice)
    slot_cancel(slot=slots[4], by=bob)
    assert "no longer offered" in _refused(booking_rebook, booking=moved, slot=slots[4], by=alice)
    assert Booking.objects.filter(user=alice, cancelled_at__isnull=True).get() == moved
    # Moving to the slot right next to it is fine although the two would "overlap" the old one.
    assert booking_rebook(booking=moved, slot=slots[1], by=alice).slot == slots[1]


@pytest.mark.django_db
def test_host_cancels_a_booking(bob, alice) -> None:
    slot = _slots(_office_hour(bob))[0]
    booking = booking_create(slot=slot, user=alice, topic="Frage")
    booking_cancel(booking=booking, by=bob)
    entry = AuditEntry.objects.get(action="officehour.booking_cancelled")
    assert entry.details == {"slot": slot.pk, "by_host": True}


@pytest.mark.django_db
def test_database_allows_one_active_booking_per_slot(bob, alice, charlie) -> None:
    slot = _slots(_office_hour(bob))[0]
    Booking.objects.create(slot=slot, user=alice, topic="A", cancelled_at=timezone.now())
    Booking.objects.create(slot=slot, user=alice, topic="B")  # cancelled ones do not count
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, user=charlie, topic="C")


def _at_once(calls) -> tuple[list, list[str]]:
    """Run the calls in threads released together; return (results, refusals)."""
    start = threading.Barrier(len(calls))
    results, refusals, errors = [], [], []

    def run(call) -> None:
        try:
            start.wait()
            with translation.override("en"):
                results.append(call())
        except BookingError as e:
            refusals.append(str(e))
        except Exception as e:  # asserted below: anything else is a bug
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results, refusals


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_people_book_the_same_slot_at_once_exactly_one_wins(bob) -> None:
    slot = _slots(_office_hour(bob))[0]
    people = [UserFactory() for _ in range(8)]
    calls = [
        lambda p=person: booking_create(slot=slot, user=p, topic="Frage zu Prompts")
        for person in people
    ]
    results, refusals = _at_once(calls)
    assert len(results) == 1
    assert len(refusals) == 7
    assert all("just taken" in r for r in refusals)
    assert Booking.objects.filter(slot=slot).count() == 1
    assert AuditEntry.objects.filter(action="officehour.booked").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_person_two_overlapping_slots_at_once_gets_one(bob, rita, alice) -> None:
    first = _slots(_office_hour(bob))[0]
    other = _slots(_office_hour(rita, "Datenschutz-Sprechstunde"))[0]  # the same 14:00–14:20
    calls = [
        lambda: booking_create(slot=first, user=alice, topic="Prompts"),
        lambda: booking_create(slot=other, user=alice, topic="DSGVO"),
    ]
    results, refusals = _at_once(calls)
    assert len(results) == 1 and len(refusals) == 1
    assert "already have a booking at this time" in refusals[0]
    assert Booking.objects.filter(user=alice).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rebook_racing_a_booking_keeps_the_old_slot(bob, alice, charlie) -> None:
    slots = _slots(_office_hour(bob))
    old = booking_create(slot=slots[0], user=alice, topic="Prompts")
    calls = [
        lambda: booking_rebook(booking=old, slot=slots[1], by=alice),
        lambda: booking_create(slot=slots[1], user=charlie, topic="Meins"),
    ]
    results, refusals = _at_once(calls)
    assert len(results) == 1 and len(refusals) == 1
    winner = Booking.objects.get(slot=slots[1], cancelled_at__isnull=True)
    mine = Booking.objects.filter(user=alice, cancelled_at__isnull=True).get()
    if winner.user == charlie:  # alice lost the race and keeps her booking
        assert mine.pk == old.pk
    else:
        assert mine.slot == slots[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_unique_index_decides_when_the_check_could_not_see_it(bob, alice, charlie) -> None:
    """Another writer's booking, not yet committed when charlie books, still wins cleanly."""
    slot = _slots(_office_hour(bob))[0]
    inserted, outcome = threading.Event(), []

    def other_writer() -> None:
        try:
            with transaction.atomic():
                Booking.objects.create(slot=slot, user=alice, topic="Zuerst")
                inserted.set()
                with connection.cursor() as cursor:  # commit once charlie waits on the index
                    for _ in range(200):
                        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                        if cursor.fetchone()[0]:
                            break
                        threading.Event().wait(0.05)
        finally:
            connection.close()

    def charlie_books() -> None:
        try:
            inserted.wait(10)
            with translation.override("en"):
                booking_create(slot=slot, user=charlie, topic="Danach")
            outcome.append("booked")
        except BookingError as e:
            outcome.append(str(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=other_writer), threading.Thread(target=charlie_books)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcome) == 1 and "just taken" in outcome[0]
    assert Booking.objects.get(slot=slot).user == alice
