"""Events: seats, waiting list with move-up, cancellation, and no over-booking under load."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rollout.events.services import RegistrationError, registration_cancel, registration_create
from rollout.models import Event, Registration
from tests.factories import UserFactory

Status = Registration.Status


def _event(capacity: int, **fields) -> Event:
    start = timezone.now() + timedelta(days=7)
    return Event.objects.create(
        kind=Event.Kind.WORKSHOP,
        title="Prompting für Einsteiger",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        location="Schulungsraum 2",
        **fields,
    )


@pytest.mark.django_db
def test_waiting_list_moves_up_when_a_seat_frees(alice, bob, charlie) -> None:
    event = _event(capacity=1)
    first = registration_create(event=event, user=alice)
    second = registration_create(event=event, user=bob)
    third = registration_create(event=event, user=charlie)
    assert [first.status, second.status, third.status] == [
        Status.CONFIRMED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    moved = registration_cancel(registration=first, by=alice)
    assert moved.pk == second.pk  # the first on the list, not the last
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert Registration.objects.get(pk=second.pk).status == Status.CONFIRMED
    assert (
        registration_cancel(registration=third, by=charlie) is None
    )  # a waiting one frees nothing
    event.refresh_from_db()
    assert event.seats_taken == 1


@pytest.mark.django_db
def test_double_registration_and_past_events_are_refused(alice) -> None:
    event = _event(capacity=5)
    registration_create(event=event, user=alice)
    with pytest.raises(RegistrationError):
        registration_create(event=event, user=alice)
    past = _event(capacity=5)
    Event.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    past.refresh_from_db()
    with pytest.raises(RegistrationError):
        registration_create(event=past, user=alice)


@pytest.mark.django_db
def test_cancel_and_register_again(alice) -> None:
    event = _event(capacity=1)
    registration = registration_create(event=event, user=alice)
    registration_cancel(registration=registration, by=alice)
    with pytest.raises(RegistrationError):
        registration_cancel(registration=registration, by=alice)
    again = registration_create(event=event, user=alice)
    assert again.pk == registration.pk and again.status == Status.CONFIRMED


@pytest.mark.django_db
def test_database_refuses_overbooking() -> None:
    event = _event(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(seats_taken=3)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_last_seat_under_concurrent_registration_goes_to_exactly_one() -> None:
    event = _event(capacity=1)
    people = [UserFactory(email=f"person{i}@firma.test") for i in range(8)]
    start = threading.Barrier(len(people))
    results: list[str] = []
    errors: list[Exception] = []

    def register(user) -> None:
        try:
            start.wait()  # everyone at the same moment
            results.append(registration_create(event=event, user=user).status)
        except Exception as e:  # collected and asserted below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [Status.CONFIRMED] + [Status.WAITLISTED] * 7
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 1


@pytest.mark.django_db
def test_pages(client, alice, bob) -> None:
    event = _event(capacity=1)
    client.force_login(alice)
    assert "Prompting für Einsteiger" in client.get("/termine/").content.decode()
    assert client.get(f"/termine/{event.pk}/anmelden/").status_code == 405
    assert client.post(f"/termine/{event.pk}/anmelden/").status_code == 302
    assert (
        client.post(f"/termine/{event.pk}/anmelden/").status_code == 302
    )  # refused, with a message
    assert Registration.objects.filter(event=event).count() == 1
    client.force_login(bob)
    client.post(f"/termine/{event.pk}/anmelden/")
    page = client.get(f"/termine/{event.pk}/").content.decode()
    assert "Warteliste" in page or "waiting list" in page
    client.force_login(alice)
    assert client.post(f"/termine/{event.pk}/abmelden/").status_code == 302
    assert Registration.objects.get(event=event, user=bob).status == Status.CONFIRMED
    assert client.post("/termine/999999/abmelden/").status_code == 404
