"""ICS: the hand-written generator parsed back with `icalendar`, and the personal feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from portal.models import AuditEntry
from rollout.events import calendar
from rollout.events.calendar import CalendarItem, calendar_render, fold
from rollout.events.services import registration_create
from rollout.models import CalendarToken, Event, Registration

NASTY = [
    "Community-Runde: Use Cases, Tipps; Tricks",
    "Prompting für Einsteiger – Übungen mit Umlauten: äöüß ÄÖÜ",
    "Zeile eins\nZeile zwei\r\nZeile drei",
    "Backslash \\ und \\n wörtlich",
    "Ä" * 100 + "x" * 100,  # 200 characters, 300 octets
    "Emoji 🤖 und Komma, Semikolon; Doppelpunkt: fertig",
]


def _item(summary: str, **fields) -> CalendarItem:
    start = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
    defaults = {
        "uid": "event-1-person-2@portal.test",
        "sequence": 3,
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "summary": summary,
        "description": f"{summary}\n\nDetails: https://portal.test/termine/1/",
        "location": "Raum 2, Halle; Süd",
        "url": "https://portal.test/termine/1/",
    }
    defaults.update(fields)
    return CalendarItem(**defaults)


def _lines(text: str) -> list[bytes]:
    raw = text.encode()
    assert raw.endswith(b"\r\n")
    return raw[:-2].split(b"\r\n")


@pytest.mark.parametrize("title", NASTY)
def test_nasty_titles_survive_the_round_trip(title: str) -> None:
    text = calendar_render([_item(title)], method="REQUEST")
    for line in _lines(text):
        assert len(line) <= 75  # octets, folding included
        assert b"\n" not in line and b"\r" not in line
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    expected = title.replace("\r\n", "\n")
    assert str(event["SUMMARY"]) == expected
    assert str(event["DESCRIPTION"]).startswith(expected)
    assert str(event["LOCATION"]) == "Raum 2, Halle; Süd"


def test_fields_of_a_request() -> None:
    text = calendar_render(
        [_item("Kickoff", attendee=("Alice Schneider", "alice@firma.test"))], method="REQUEST"
    )
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["METHOD"]) == "REQUEST" and str(cal["VERSION"]) == "2.0"
    event = cal.walk("VEVENT")[0]
    assert event["DTSTART"].dt == datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 10, 15, 13, 0, tzinfo=UTC)
    assert "DTSTART:20261015T120000Z" in text  # UTC with Z, no TZID
    assert event["DTSTAMP"].dt.tzinfo is not None
    assert str(event["UID"]) == "event-1-person-2@portal.test"
    assert int(event["SEQUENCE"]) == 3
    assert str(event["URL"]) == "https://portal.test/termine/1/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ATTENDEE"]) == "mailto:alice@firma.test"
    assert str(event["ORGANIZER"]).startswith("mailto:")


def test_fold_never_splits_a_character() -> None:
    line = "SUMMARY:" + "ü" * 100
    folded = fold(line).encode()
    parts = folded.split(b"\r\n ")
    assert all(len(p) <= 75 - (i > 0) for i, p in enumerate(parts))
    assert all(p.decode() for p in parts)  # each part is valid UTF-8 on its own
    assert b"".join(parts).decode() == line
    assert fold("short") == "short"


def _event(days: float, title: str = "Community-Runde", **fields) -> Event:
    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        kind=Event.Kind.COMMUNITY_ROUND,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=fields.pop("capacity", 10),
        **fields,
    )


@pytest.mark.django_db
def test_feed_page_creates_and_replaces_the_address(client, alice) -> None:
    client.force_login(alice)
    assert ".ics" not in client.get("/termine/kalender/").content.decode()
    assert client.get("/termine/kalender/neu/").status_code == 405
    client.post("/termine/kalender/neu/")
    first = CalendarToken.objects.get(user=alice).token
    assert len(first) == 43
    page = client.get("/termine/kalender/").content.decode()
    assert f"http://localhost:8000/termine/kalender/{first}.ics" in page
    client.post("/termine/kalender/neu/")
    second = CalendarToken.objects.get(user=alice).token
    assert second != first
    client.logout()
    assert client.get(f"/termine/kalender/{first}.ics").status_code == 404  # revoked
    assert client.get(f"/termine/kalender/{second}.ics").status_code == 200
    client.force_login(alice)
    page = client.get("/termine/kalender/").content.decode()
    assert "Nie, wer ein Zeitfenster gebucht hat" in page  # what the feed holds, said plainly
    assert client.get("/termine/kalender/loeschen/").status_code == 405
    client.post("/termine/kalender/loeschen/")  # deleted: nothing answers any more
    assert not CalendarToken.objects.filter(user=alice).exists()
    assert client.get(f"/termine/kalender/{second}.ics").status_code == 404
    assert ".ics" not in client.get("/termine/kalender/").content.decode()
    assert client.post("/termine/kalender/loeschen/").status_code == 302  # twice: harmless
    actions = set(AuditEntry.objects.filter(actor=alice).values_list("action", flat=True))
    assert {"calendar.feed_created", "calendar.feed_replaced", "calendar.feed_revoked"} <= actions
    assert first not in str(AuditEntry.objects.values_list("details", flat=True))


@pytest.mark.django_db
def test_feed_lists_the_persons_events(client, alice, bob) -> None:
    seat = _event(3, "Runde mit Platz, und; mehr", online_url="https://meet.firma.test/r")
    waiting = _event(4, "Volle Runde", capacity=1, online_url="https://meet.firma.test/v")
    registration_create(event=waiting, user=bob)
    cancelled = _event(5, "Abgesagt")
    recent = _event(-30, "Vor einem Monat")
    old = _event(-120, "Zu alt")
    others = _event(6, "Nicht meins")
    _event(7, "Ich moderiere", host=alice)
    for event in (seat, waiting, cancelled):
        registration_create(event=event, user=alice)
    Registration.objects.filter(event=cancelled, user=alice).update(status="cancelled")
    for event in (recent, old):
        Registration.objects.create(event=event, user=alice, status="confirmed")
    registration_create(event=others, user=bob)
    token = calendar.calendar_token_replace(user=alice).token

    assert client.head(f"/termine/kalender/{token}.ics").status_code == 200
    assert client.post(f"/termine/kalender/{token}.ics").status_code == 405
    response = client.get(f"/termine/kalender/{token}.ics")  # no login: calendar apps
    assert response.status_code == 200
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        "Runde mit Platz, und; mehr",
        "Volle Runde",
        "Vor einem Monat",
        "Ich moderiere",
    }
    assert str(events["Volle Runde"]["STATUS"]) == "TENTATIVE"
    assert str(events["Runde mit Platz, und; mehr"]["STATUS"]) == "CONFIRMED"
    # The online link only for a seat; a waiting person sees "online".
    assert "meet.firma.test/r" in str(events["Runde mit Platz, und; mehr"]["LOCATION"])
    assert "meet.firma.test/v" not in response.content.decode()
    assert str(events["Volle Runde"]["URL"]).endswith(f"/termine/{waiting.pk}/")
    uids = [str(e["UID"]) for e in events.values()]
    assert len(set(uids)) == 4 and all(f"-person-{alice.pk}@" in uid for uid in uids)


@pytest.mark.django_db
def test_feed_unknown_or_malformed_token_is_404(client, alice) -> None:
    calendar.calendar_token_replace(user=alice)
    assert client.get("/termine/kalender/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/termine/kalender/short.ics").status_code == 404
    alice.is_active = False
    alice.save()
    token = CalendarToken.objects.get(user=alice).token
    assert client.get(f"/termine/kalender/{token}.ics").status_code == 404


@pytest.mark.django_db
def test_other_sources_can_add_feed_items(client, alice) -> None:
    start = timezone.now() + timedelta(days=2)

    def office_hours(user, since):
        return [_item("Sprechstunde", uid=f"slot-1-{user.pk}@portal.test", starts_at=start,
                      ends_at=start + timedelta(minutes=30))]  # fmt: skip

    calendar.feed_provider_register(office_hours)
    try:
        token = calendar.calendar_token_replace(user=alice).token
        content = client.get(f"/termine/kalender/{token}.ics").content
    finally:
        calendar.feed_item_providers.remove(office_hours)
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(content).walk("VEVENT")]
    assert summaries == ["Sprechstunde"]
