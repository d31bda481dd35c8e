"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

# Multipliers, reviewers (as experts) and programme admins host office hours.
HOSTS = {**dict.fromkeys(CAST, 403), "bob": 200, "rita": 200, "ada": 200}
# bob hosts the office hour; admins may change and cancel it too.
HOST_OR_ADMIN = {**dict.fromkeys(CAST, 403), "bob": 200, "ada": 200}
# alice's booking: only she may move it; nobody else learns it exists.
ALICES_BOOKING = {**dict.fromkeys(CAST, 404), "alice": 200}
# Turning the booked topic into an FAQ entry: bob (the host) only. People without a host role
# are refused the page type (403); other hosts must not learn the booking exists (404).
BOOKING_HOST = {**HOSTS, "bob": 200, "rita": 404, "ada": 404}

MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:officehour-list": ("/sprechstunden/", LOGIN, EVERYONE),
    "rollout:officehour-new": ("/sprechstunden/neu/", LOGIN, HOSTS),
    "rollout:officehour-agenda": ("/sprechstunden/agenda/", LOGIN, HOSTS),
    "rollout:officehour-bookings": ("/sprechstunden/meine/", LOGIN, EVERYONE),
    "rollout:officehour-detail": ("/sprechstunden/{officehour}/", LOGIN, EVERYONE),
    "rollout:officehour-edit": ("/sprechstunden/{officehour}/bearbeiten/", LOGIN, HOST_OR_ADMIN),
    "rollout:officehour-book": ("/sprechstunden/termine/{free_slot}/buchen/", LOGIN, EVERYONE),
    "rollout:officehour-booking-rebook": (
        "/sprechstunden/buchungen/{alice_booking}/umbuchen/",
        LOGIN,
        ALICES_BOOKING,
    ),
    "rollout:officehour-booking-faq": (
        "/sprechstunden/buchungen/{alice_booking}/faq/",
        LOGIN,
        BOOKING_HOST,
    ),
}
# POST-only steps, tested in tests/rollout/test_officehour_pages.py.
SEPARATELY_TESTED: set[str] = {
    "rollout:officehour-cancel",
    "rollout:officehour-slot-cancel",
    "rollout:officehour-booking-cancel",
}


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    from datetime import time, timedelta

    from django.utils import timezone

    from rollout.models import Booking, OfficeHour
    from rollout.officehours.services import officehour_generate

    office_hour = OfficeHour.objects.create(
        host=cast["bob"],
        topic="KI-Sprechstunde: Prompting",
        location="Raum 2.14",
        first_date=timezone.localdate() + timedelta(days=7),
        start_time=time(14),
        end_time=time(15),
        slot_minutes=20,
    )
    officehour_generate(office_hour)
    booked, free, _last = office_hour.slots.order_by("starts_at")
    booking = Booking.objects.create(slot=booked, user=cast["alice"], topic="Prompts für Angebote")
    return {"officehour": office_hour.pk, "free_slot": free.pk, "alice_booking": booking.pk}
