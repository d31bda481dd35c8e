"""Check-in by the host: attendee list, htmx check-in and undo, the time window, access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.models import AuditEntry
from rollout.models import Event, Registration

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 5, 13, 0, tzinfo=UTC)


@pytest.fixture
def event(bob, alice, charlie, walter) -> Event:
    event = Event.objects.create(
        kind=Event.Kind.COMMUNITY_ROUND,
        title="Community-Runde: Erfahrungen mit dem Protokollgenerator",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        capacity=2,
        seats_taken=2,
        host=bob,
    )
    Registration.objects.create(event=event, user=alice, status="confirmed")
    Registration.objects.create(event=event, user=walter, status="confirmed")
    Registration.objects.create(event=event, user=charlie, status="waitlisted")
    return event


def _url(event: Event, user) -> str:
    registration = Registration.objects.get(event=event, user=user)
    return f"/termine/{event.pk}/anwesenheit/{registration.pk}/"


def test_host_sees_the_attendee_list_others_do_not(client, event, alice, bob) -> None:
    client.force_login(bob)
    page = client.get(f"/termine/{event.pk}/").content.decode()
    assert "Alice Schneider" in page and "Vertrieb" in page  # name and department
    assert "Charlie Becker" in page and "Kundenservice" in page  # the waiting list
    client.force_login(alice)
    page = client.get(f"/termine/{event.pk}/").content.decode()
    assert "Walter Fischer" not in page and "Kundenservice" not in page


def test_check_in_and_undo_with_htmx(client, event, alice, bob, time_machine) -> None:
    time_machine.move_to(START - timedelta(minutes=20), tick=False)
    client.force_login(bob)
    url = _url(event, alice)
    assert client.get(url).status_code == 405
    response = client.post(url, {"attended": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    registration = Registration.objects.get(event=event, user=alice)
    assert fragment.startswith(f'<tr id="attendee-{registration.pk}">')
    assert "<html" not in fragment and 'name="attended" value="0"' in fragment
    assert registration.attended_at == START - timedelta(minutes=20)
    entry = AuditEntry.objects.get(action="event.checked_in")
    assert entry.actor == bob and entry.details == {"registration": registration.pk}
    # A second click changes nothing; undo clears it.
    client.post(url, {"attended": "1"}, HTTP_HX_REQUEST="true")
    assert AuditEntry.objects.filter(action="event.checked_in").count() == 1
    client.post(url, {"attended": "0"}, HTTP_HX_REQUEST="true")
    registration.refresh_from_db()
    assert registration.attended_at is None
    assert AuditEntry.objects.filter(action="event.check_in_undone").exists()


def test_check_in_opens_30_minutes_before_the_start(client, event, alice, bob, time_machine):
    time_machine.move_to(START - timedelta(minutes=31), tick=False)
    client.force_login(bob)
    page = client.get(f"/termine/{event.pk}/").content.decode()
    assert 'name="attended"' not in page  # no buttons yet
    response = client.post(_url(event, alice), {"attended": "1"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in response.content.decode()
    assert Registration.objects.get(event=event, user=alice).attended_at is None
    response = client.post(_url(event, alice), {"attended": "1"}, follow=True)  # without htmx
    assert response.redirect_chain[-1][0] == f"/termine/{event.pk}/"
    assert Registration.objects.get(event=event, user=alice).attended_at is None
    time_machine.move_to(START + timedelta(hours=3), tick=False)  # afterwards is fine
    client.force_login(bob)
    client.post(_url(event, alice), {"attended": "1"})
    assert Registration.objects.get(event=event, user=alice).attended_at is not None


def test_only_confirmed_seats_can_be_checked_in(client, event, charlie, bob, time_machine):
    time_machine.move_to(START, tick=False)
    client.force_login(bob)
    response = client.post(_url(event, charlie), {"attended": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Registration.objects.get(event=event, user=charlie).attended_at is None


def test_only_host_and_admins_check_in(client, cast, event, alice, time_machine) -> None:
    time_machine.move_to(START, tick=False)
    url = _url(event, alice)
    for member in ("alice", "rita", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.post(url, {"attended": "1"}).status_code == 403, member
    assert Registration.objects.get(event=event, user=alice).attended_at is None
    client.force_login(cast["ada"])
    assert client.post(url, {"attended": "1"}).status_code == 302
    assert Registration.objects.get(event=event, user=alice).attended_at is not None
    client.logout()
    assert client.post(url, {"attended": "0"}).status_code == 302  # to the login
    assert Registration.objects.get(event=event, user=alice).attended_at is not None


def test_registration_of_another_event_is_404(client, event, bob, alice, time_machine) -> None:
    time_machine.move_to(START, tick=False)
    other = Event.objects.create(
        kind=Event.Kind.TRAINING,
        title="Anderes",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        capacity=5,
    )
    foreign = Registration.objects.create(event=other, user=alice, status="confirmed")
    client.force_login(bob)
    response = client.post(f"/termine/{event.pk}/anwesenheit/{foreign.pk}/", {"attended": "1"})
    assert response.status_code == 404


def test_person_sees_whether_they_were_checked_in(client, event, alice, walter, time_machine):
    time_machine.move_to(START + timedelta(days=1), tick=False)
    Registration.objects.filter(event=event, user=alice).update(attended_at=START)
    alice.preferred_language = walter.preferred_language = "en"
    alice.save()
    walter.save()
    client.force_login(alice)
    page = client.get(f"/termine/{event.pk}/").content.decode()
    assert "You were checked in" in page
    assert "Cancel registration" not in page  # the event is over
    client.force_login(walter)
    assert "You were not checked in." in client.get(f"/termine/{event.pk}/").content.decode()


def test_host_page_queries_do_not_grow_with_attendees(client, event, bob) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    client.force_login(bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/termine/{event.pk}/").status_code == 200
        return len(queries)

    few = count()
    Event.objects.filter(pk=event.pk).update(capacity=20, seats_taken=12)
    for i in range(10):
        Registration.objects.create(
            event=event, user=UserFactory(email=f"gast{i}@firma.test"), status="confirmed"
        )
    assert count() == few
