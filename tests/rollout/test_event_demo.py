"""Demo events: a realistic state of the programme, seeded without mails, idempotent."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db.models import Count, Q
from django.utils import timezone, translation

from portal.demo import seed_people
from rollout.demo.programme import seed_events, seed_programme
from rollout.events.series import series_rhythm
from rollout.models import Event, EventMaterial, EventSeries, Registration

pytestmark = pytest.mark.django_db


def test_demo_events(django_capture_on_commit_callbacks) -> None:
    lines: list[str] = []
    with django_capture_on_commit_callbacks() as callbacks:
        seed_people(lines.append)
        seed_programme(lines.append)
        seed_events(lines.append)
    assert callbacks == [] and mail.outbox == []  # no mail leaves while seeding
    now = timezone.now()

    kickoff = Event.objects.get(kind="kickoff")
    attended = kickoff.registrations.filter(attended_at__isnull=False).count()
    assert 0.65 <= attended / 200 <= 0.75
    assert kickoff.materials.filter(url__startswith="https://").count() == 2
    assert not kickoff.registrations.get(user__email__startswith="charlie@").attended_at

    workshops = Event.objects.filter(kind="workshop", ends_at__lt=now)
    assert [w.registrations.filter(attended_at__isnull=False).count() for w in workshops] == [
        12,
        12,
    ]
    series = EventSeries.objects.get()
    with translation.override("en"):
        assert series_rhythm(series).startswith("every second Thursday")
    held = Event.objects.filter(series=series, ends_at__lt=now)
    assert held.count() >= 1
    assert all(e.registrations.filter(attended_at__isnull=False).exists() for e in held)
    assert Event.objects.filter(series=series, starts_at__gt=now).count() >= 5
    for focus in ("Prompting", "Retrieval", "Guardrails"):
        assert Event.objects.filter(kind="training", title__contains=focus).exists(), focus
    assert not EventMaterial.objects.exclude(file="").exists()  # links only

    full = Event.objects.get(kind="workshop", starts_at__gt=now)
    assert full.seats_free == 0
    waiting = full.registrations.filter(status="waitlisted").order_by("created_at", "pk")
    assert waiting.first().user.email.startswith("charlie@")
    assert full.registrations.get(user__email__startswith="alice@").status == "confirmed"
    # The counter of every event matches its confirmed registrations.
    counted = Event.objects.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed"))
    )
    assert all(e.seats_taken == e.confirmed for e in counted)
    assert not Registration.objects.filter(event__ends_at__gt=now, attended_at__isnull=False)

    before = (Event.objects.count(), Registration.objects.count(), EventMaterial.objects.count())
    seed_events(lines.append)
    after = (Event.objects.count(), Registration.objects.count(), EventMaterial.objects.count())
    assert after == before
    assert lines[-1] == "Demo events already present."
