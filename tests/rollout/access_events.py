"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

# bob hosts the event; alice has a seat at it.
HOST_OR_ADMIN = {**dict.fromkeys(CAST, 403), "bob": 200, "ada": 200}
SEAT_HOST_OR_ADMIN = {**dict.fromkeys(CAST, 404), "alice": 200, "bob": 200, "ada": 200}

MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:event-new": ("/termine/neu/", LOGIN, ADMIN_ONLY),
    "rollout:event-edit": ("/termine/{event}/bearbeiten/", LOGIN, ADMIN_ONLY),
    "rollout:event-material-new": ("/termine/{hosted_event}/material/neu/", LOGIN, HOST_OR_ADMIN),
    "rollout:event-material": (
        "/termine/{hosted_event}/material/{material}/",
        LOGIN,
        SEAT_HOST_OR_ADMIN,
    ),
    "rollout:calendar": ("/termine/kalender/", LOGIN, EVERYONE),
    # No login: calendar apps fetch it; the secret token is the key.
    "rollout:calendar-feed": ("/termine/kalender/{calendar_token}.ics", 200, EVERYONE),
    "rollout:series-list": ("/termine/reihen/", LOGIN, ADMIN_ONLY),
    "rollout:series-new": ("/termine/reihen/neu/", LOGIN, ADMIN_ONLY),
    "rollout:series-edit": ("/termine/reihen/{series}/bearbeiten/", LOGIN, ADMIN_ONLY),
    "rollout:registrations-export": ("/termine/export/anmeldungen.csv", LOGIN, ADMIN_ONLY),
}
# POST-only steps, tested in tests/rollout/test_event_attendance.py, test_event_materials.py
# and test_calendar.py.
SEPARATELY_TESTED: set[str] = {
    "rollout:event-attendance",
    "rollout:event-material-remove",
    "rollout:calendar-token-new",
    "rollout:calendar-token-delete",
}


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    from datetime import date, time, timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from rollout.events.calendar import calendar_token_replace
    from rollout.models import Event, EventMaterial, EventSeries, Registration

    start = timezone.now() + timedelta(days=5)
    hosted = Event.objects.create(
        kind=Event.Kind.WORKSHOP,
        title="Workshop",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
        host=cast["bob"],
        seats_taken=1,
    )
    Registration.objects.create(event=hosted, user=cast["alice"], status="confirmed")
    material = EventMaterial(event=hosted, title="Folien", added_by=cast["bob"])
    material.file.save("folien.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    series = EventSeries.objects.create(
        kind=Event.Kind.COMMUNITY_ROUND,
        title="Community-Runde",
        capacity=20,
        first_date=date.today() + timedelta(days=7),
        start_time=time(14),
        duration_minutes=60,
        interval_weeks=2,
    )
    return {
        "hosted_event": hosted.pk,
        "material": material.pk,
        "series": series.pk,
        "calendar_token": calendar_token_replace(user=cast["charlie"]).token,
    }
