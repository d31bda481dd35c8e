"""Event management for admins: create and edit with validation, list filter, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import AuditEntry
from rollout.common.spreadsheet import csv_safe as csv_cell
from rollout.events.services import registration_create
from rollout.models import Event, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, ada):
    ada.preferred_language = "en"
    ada.save()
    client.force_login(ada)
    return client


def _form(**overrides) -> dict:
    data = {
        "kind": "training",
        "title": "Training: Prompting",
        "description": "Für alle Rollen.",
        "starts_at": "2026-12-03T09:00",
        "ends_at": "2026-12-03T12:00",
        "location": "Schulungsraum 1",
        "online_url": "",
        "capacity": "12",
        "host": "",
        "phase": "",
    }
    data.update(overrides)
    return data


def _event(title: str = "Workshop", capacity: int = 2, days: int = 10, **fields) -> Event:
    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        kind=fields.pop("kind", Event.Kind.WORKSHOP),
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        **fields,
    )


def test_create_validates_and_saves(admin_client, bob) -> None:
    bad = admin_client.post("/termine/neu/", _form(ends_at="2026-12-03T08:00", capacity="0"))
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "The end must be after the start." in text
    assert "greater than or equal to 1" in text
    assert not Event.objects.exists()
    response = admin_client.post("/termine/neu/", _form(host=str(bob.pk)))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/termine/{event.pk}/"
    assert event.starts_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert (event.host, event.capacity, event.kind) == (bob, 12, "training")
    assert AuditEntry.objects.filter(action="event.created", target_id=str(event.pk)).exists()


def test_host_must_be_able_to_host(admin_client, alice) -> None:
    response = admin_client.post("/termine/neu/", _form(host=str(alice.pk)))
    assert response.status_code == 200 and not Event.objects.exists()


def test_seats_not_below_the_confirmed_count(admin_client, alice, bob, charlie) -> None:
    event = _event(capacity=2)
    for person in (alice, bob, charlie):
        registration_create(event=event, user=person)
    form = _form(
        title=event.title,
        kind=event.kind,
        starts_at=timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        capacity="1",
    )
    response = admin_client.post(f"/termine/{event.pk}/bearbeiten/", form)
    assert response.status_code == 200
    assert "2 people already have a seat: the event needs at least 2 seats." in (
        response.content.decode()
    )
    event.refresh_from_db()
    assert event.capacity == 2
    # More seats: the waiting list moves up at once, and the person is told.
    form["capacity"] = "3"
    response = admin_client.post(f"/termine/{event.pk}/bearbeiten/", form)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.capacity, event.seats_taken) == (3, 3)
    assert Registration.objects.get(event=event, user=charlie).status == "confirmed"


def test_new_time_is_mailed_to_everyone_registered(
    admin_client, alice, bob, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    event = _event(capacity=1)
    first = registration_create(event=event, user=alice)
    registration_create(event=event, user=bob)
    Registration.objects.update(reminded_at=timezone.now())
    new_start = timezone.localtime(event.starts_at + timedelta(days=1))
    form = _form(
        title=event.title,
        kind=event.kind,
        starts_at=new_start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(new_start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        capacity="1",
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert admin_client.post(f"/termine/{event.pk}/bearbeiten/", form).status_code == 302
    for callback in callbacks:  # what the mail worker runs
        callback.func.__self__(*callback.args)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@firma.test", "bob@firma.test"]
    assert not Registration.objects.filter(reminded_at__isnull=False).exists()
    assert Registration.objects.get(pk=first.pk).updated_at > first.updated_at  # new SEQUENCE


def test_list_filters_by_kind_and_time(client, alice) -> None:
    _event("Training: Retrieval", kind=Event.Kind.TRAINING)
    _event("Austauschrunde Vertrieb", kind=Event.Kind.COMMUNITY_ROUND)
    _event("Kickoff von früher", kind=Event.Kind.KICKOFF, days=-30)
    client.force_login(alice)
    page = client.get("/termine/?kind=training").content.decode()
    assert "Training: Retrieval" in page and "Austauschrunde Vertrieb" not in page
    page = client.get("/termine/?kind=nonsense").content.decode()
    assert "Training: Retrieval" in page and "Austauschrunde Vertrieb" in page
    assert "Kickoff von früher" not in page
    page = client.get("/termine/?when=past").content.decode()
    assert "Kickoff von früher" in page and "Training: Retrieval" not in page


def test_list_queries_do_not_grow_with_the_events(client, alice, bob, charlie) -> None:
    client.force_login(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/termine/").status_code == 200
        return len(queries)

    event = _event(host=bob)
    registration_create(event=event, user=alice)
    few = count()
    for i in range(8):
        more = _event(f"Runde {i}", host=charlie)
        registration_create(event=more, user=alice)
    assert count() == few


def test_csv_cells_cannot_run_as_formulas() -> None:
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [csv_cell(v) for v in ("+1", "-1", "@SUM(A1)", "\tx")] == [
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
    ]
    assert csv_cell("Kickoff") == "Kickoff" and csv_cell(None) == ""


def test_export_of_registrations_and_attendance(admin_client, alice, bob, charlie) -> None:
    alice.name = "=cmd|' /C calc'!A0"
    alice.save()
    event = _event("Workshop; mit Semikolon", capacity=1)
    registration_create(event=event, user=alice)
    registration_create(event=event, user=charlie)
    checked = timezone.now()
    Registration.objects.filter(user=alice).update(attended_at=checked)
    other = _event("-Andere Veranstaltung", capacity=5)
    registration_create(event=other, user=bob)

    response = admin_client.get("/termine/export/anmeldungen.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0] == [
        "Event", "Date", "Kind", "Name", "Email", "Department", "Status", "Checked in",
        "Checked in at",
    ]  # fmt: skip
    by_email = {row[4]: row for row in rows[1:]}
    assert set(by_email) == {"alice@firma.test", "charlie@firma.test", "bob@firma.test"}
    row = by_email["alice@firma.test"]
    assert row[0] == "Workshop; mit Semikolon"  # quoted, not split
    assert row[3] == "'=cmd|' /C calc'!A0"  # neutralised
    assert row[5] == "Vertrieb" and row[6] == "confirmed"
    assert row[7] == "yes" and row[8] == timezone.localtime(checked).strftime("%Y-%m-%d %H:%M")
    assert by_email["charlie@firma.test"][6:8] == ["on the waiting list", "no"]
    assert by_email["bob@firma.test"][0] == "'-Andere Veranstaltung"
    only = admin_client.get(f"/termine/export/anmeldungen.csv?event={other.pk}")
    assert len(b"".join(only.streaming_content).decode().splitlines()) == 2
    assert AuditEntry.objects.filter(action="event.registrations_exported").count() == 2


def test_a_session_cannot_move_onto_another_of_its_series(admin_client) -> None:
    from datetime import date, time

    from rollout.events.series import series_generate
    from rollout.models import EventSeries

    series = EventSeries.objects.create(
        kind="community_round",
        title="Community-Runde",
        capacity=20,
        first_date=date.today() + timedelta(days=7),
        start_time=time(14),
        duration_minutes=60,
        interval_weeks=1,
    )
    series_generate(series, horizon_days=20)
    first, second = Event.objects.filter(series=series).order_by("starts_at")[:2]
    form = _form(
        title=first.title,
        kind=first.kind,
        starts_at=timezone.localtime(second.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(second.ends_at).strftime("%Y-%m-%dT%H:%M"),
        capacity="20",
    )
    response = admin_client.post(f"/termine/{first.pk}/bearbeiten/", form)
    assert response.status_code == 200
    assert "Another session of this series starts at the same time." in response.content.decode()
    first.refresh_from_db()
    assert first.starts_at != second.starts_at
