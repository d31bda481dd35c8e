"""Recurring exchange formats: sessions in Berlin local time, idempotent, past untouched."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import translation

from rollout.events.series import series_generate, series_rhythm
from rollout.events.tasks import event_series_generate
from rollout.models import Event, EventSeries

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def _series(**fields) -> EventSeries:
    defaults = {
        "kind": Event.Kind.COMMUNITY_ROUND,
        "title": "Community-Runde",
        "capacity": 25,
        "first_date": date(2026, 10, 15),  # a Thursday; 2026-10-25 the clocks go back
        "start_time": time(14, 0),
        "duration_minutes": 60,
        "interval_weeks": 2,
        "online_url": "https://meet.firma.test/runde",
    }
    defaults.update(fields)
    return EventSeries.objects.create(**defaults)


@pytest.mark.django_db
def test_sessions_stay_at_14_berlin_across_the_dst_change(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    series = _series()
    assert series_generate(series, horizon_days=90) == 6
    sessions = list(Event.objects.filter(series=series).order_by("starts_at"))
    local = [s.starts_at.astimezone(BERLIN) for s in sessions]
    assert [d.date() for d in local] == [
        date(2026, 10, 15),
        date(2026, 10, 29),
        date(2026, 11, 12),
        date(2026, 11, 26),
        date(2026, 12, 10),
        date(2026, 12, 24),
    ]
    assert all((d.hour, d.minute, d.weekday()) == (14, 0, 3) for d in local)
    assert sessions[0].starts_at.astimezone(UTC).hour == 12  # summer time, UTC+2
    assert sessions[1].starts_at.astimezone(UTC).hour == 13  # winter time, UTC+1
    assert all(s.ends_at - s.starts_at == timedelta(minutes=60) for s in sessions)
    first = sessions[0]
    assert (first.title, first.kind, first.capacity, first.online_url) == (
        "Community-Runde",
        "community_round",
        25,
        "https://meet.firma.test/runde",
    )


@pytest.mark.django_db
def test_generation_is_idempotent_and_leaves_existing_sessions_alone(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    series = _series()
    series_generate(series, horizon_days=30)  # 10-15 and 10-29
    assert series_generate(series, horizon_days=30) == 0
    moved, _later = Event.objects.filter(series=series).order_by("starts_at")
    moved.starts_at += timedelta(hours=1)  # the host moved one session by an hour
    moved.ends_at += timedelta(hours=1)
    moved.title = "Community-Runde (verschoben)"
    moved.save()
    time_machine.move_to(datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False)
    assert series_generate(series, horizon_days=30) == 2  # 11-26 and 12-10, after the latest
    titles = list(Event.objects.filter(series=series).values_list("title", flat=True))
    assert titles.count("Community-Runde (verschoben)") == 1
    assert Event.objects.filter(series=series).count() == 4
    dates = [e.starts_at.astimezone(BERLIN).date() for e in Event.objects.filter(series=series)]
    assert dates == sorted(set(dates))  # no slot twice, none in the past added


@pytest.mark.django_db
def test_until_and_inactive_series(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    short = _series(until=date(2026, 11, 12), interval_weeks=1)
    assert series_generate(short) == 5  # 10-15 … 11-12 weekly
    paused = _series(title="Pausiert", active=False)
    assert series_generate(paused) == 0
    started_long_ago = _series(title="Seit Sommer", first_date=date(2026, 6, 4))
    series_generate(started_long_ago, horizon_days=20)
    starts = Event.objects.filter(series=started_long_ago).values_list("starts_at", flat=True)
    assert starts and all(s > NOW for s in starts)  # nothing in the past is created


@pytest.mark.django_db
def test_task_runs_for_active_series(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    _series()
    _series(title="Aus", active=False)
    assert event_series_generate() == 6
    assert event_series_generate() == 0
    assert not Event.objects.filter(title="Aus").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_generators_at_once_create_each_session_once(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    series = _series(interval_weeks=1)
    barrier = threading.Barrier(3)
    results: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(series_generate(series))
        except Exception as e:  # collected and asserted below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [0, 0, 11]
    assert Event.objects.filter(series=series).count() == 11


@pytest.mark.django_db
def test_rhythm_reads_naturally() -> None:
    with translation.override("en"):
        assert series_rhythm(_series()) == "every second Thursday, 2 p.m."
        assert series_rhythm(_series(interval_weeks=1)) == "every Thursday, 2 p.m."
        assert series_rhythm(_series(interval_weeks=6)) == "every 6 weeks on Thursday, 2 p.m."
    with translation.override("de"):
        assert "14:00" in series_rhythm(_series()) and "Donnerstag" in series_rhythm(_series())


@pytest.mark.django_db
def test_series_pages_validate_and_generate(client, ada, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    ada.preferred_language = "en"
    ada.save()
    client.force_login(ada)
    data = {
        "kind": "community_round",
        "title": "Community-Runde: Erfahrungen teilen",
        "capacity": "30",
        "first_date": "2026-09-30",
        "start_time": "14:00",
        "duration_minutes": "10",
        "interval_weeks": "9",
        "until": "2026-09-01",
        "active": "on",
    }
    page = client.post("/termine/reihen/neu/", data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The first session cannot be in the past." in text
    assert "greater than or equal to 15" in text
    assert "less than or equal to 8" in text
    assert not EventSeries.objects.exists() and not Event.objects.exists()
    data.update(
        first_date="2026-10-15", duration_minutes="90", interval_weeks="2", until="2026-10-01"
    )
    assert (
        "The last date must be after the first session."
        in client.post("/termine/reihen/neu/", data).content.decode()
    )
    data["until"] = ""
    response = client.post("/termine/reihen/neu/", data)
    assert response.status_code == 302 and response["Location"] == "/termine/reihen/"
    series = EventSeries.objects.get()
    assert Event.objects.filter(series=series).count() == 6  # 90 days from 2026-10-01
    listing = client.get("/termine/reihen/").content.decode()
    assert "every second Thursday, 2 p.m." in listing
    assert "every second Thursday, 2 p.m." in client.get("/termine/").content.decode()
    # Editing keeps a past first date; a series running since the past stays editable.
    time_machine.move_to(datetime(2026, 11, 1, 8, 0, tzinfo=UTC), tick=False)
    client.force_login(ada)  # the session of a month ago has expired
    data.update(title="Community-Runde", capacity="40")
    response = client.post(f"/termine/reihen/{series.pk}/bearbeiten/", data)
    assert response.status_code == 302 and response["Location"] == "/termine/reihen/"
    series.refresh_from_db()
    assert series.capacity == 40
    assert Event.objects.filter(series=series, capacity=30).count() == 6  # existing untouched
