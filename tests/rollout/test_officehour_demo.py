"""Demo office hours: realistic hosts, slots held and coming, bookings; no mail, idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db.models import Count, F, Q
from django.utils import timezone, translation

from portal.demo import seed_people
from rollout.demo.officehours import seed_office_hours
from rollout.demo.people import seed_multipliers
from rollout.demo.programme import seed_events, seed_programme
from rollout.models import Booking, OfficeHour, OfficeHourSlot, Registration
from rollout.officehours.hooks import slots_held
from rollout.officehours.services import officehour_rhythm

pytestmark = pytest.mark.django_db


def test_demo_office_hours(django_capture_on_commit_callbacks) -> None:
    lines: list[str] = []
    with django_capture_on_commit_callbacks() as callbacks:
        for seeder in (seed_people, seed_programme, seed_events, seed_multipliers):
            seeder(lines.append)
        seed_office_hours(lines.append)
    assert callbacks == [] and mail.outbox == []  # no mail, no task leaves while seeding
    now = timezone.now()

    office_hours = {o.topic: o for o in OfficeHour.objects.select_related("host")}
    assert len(office_hours) == 4
    prompting = office_hours["KI-Sprechstunde: Prompting"]
    assert prompting.host.email.startswith("bob@")
    local = [timezone.localtime(s.starts_at) for s in prompting.slots.all()]
    assert {(d.weekday(), d.hour) for d in local} <= {(3, 14), (3, 15)}
    with translation.override("en"):
        rhythm = officehour_rhythm(office_hours["Datenschutz-Sprechstunde"])
        assert rhythm.startswith("every second Tuesday")
    assert not office_hours["Protokollgenerator ausprobieren"].weekly
    hall = office_hours["Sprechstunde in der Halle: KI für Schichtübergaben"]
    assert hall.host.department.short_name == "PL"

    assert prompting.slots.filter(starts_at__lt=now).exists()  # some were held already
    assert prompting.slots.filter(starts_at__gt=now + timedelta(days=60)).exists()
    mine = Booking.objects.get(user__email__startswith="alice@")
    assert mine.slot.office_hour == prompting and mine.slot.starts_at > now
    clash = Registration.objects.filter(
        user=mine.user,
        event__starts_at__lt=mine.slot.ends_at,
        event__ends_at__gt=mine.slot.starts_at,
    ).exclude(status="cancelled")
    assert not clash.exists()  # not at the same time as one of her events
    assert Booking.objects.filter(user__email__startswith="charlie@", slot__starts_at__gt=now)
    assert Booking.objects.filter(slot__starts_at__lt=now).count() >= 5
    assert slots_held([prompting.host_id])[prompting.host_id] >= 1
    # Never two live bookings of one slot, never a host booking their own office hour.
    per_slot = OfficeHourSlot.objects.annotate(
        n=Count("bookings", filter=Q(bookings__cancelled_at__isnull=True))
    )
    assert not per_slot.filter(n__gt=1).exists()
    assert not Booking.objects.filter(user=F("slot__office_hour__host")).exists()

    before = (OfficeHour.objects.count(), OfficeHourSlot.objects.count(), Booking.objects.count())
    seed_office_hours(lines.append)
    assert lines[-1] == "Demo office hours already present."
    after = (OfficeHour.objects.count(), OfficeHourSlot.objects.count(), Booking.objects.count())
    assert before == after


def test_register_plugs_into_feed_directory_audit_and_report(bob, alice) -> None:
    from portal.audit import action_label
    from portal.registry import report_fact_providers
    from rollout.events.calendar import feed_item_providers
    from rollout.officehours import hooks as officehour_hooks
    from rollout.officehours.mail import feed_items
    from rollout.people.multipliers import activity_counters

    officehour_hooks.register()
    assert officehour_hooks.officehour_facts() == []  # nothing offered yet: no line
    officehour_hooks.register()  # twice is harmless
    assert feed_item_providers.count(feed_items) == 1
    assert [c.key for c in activity_counters()].count("office_hours_held") == 1
    assert report_fact_providers.count(officehour_hooks.officehour_facts) == 1
    with translation.override("en"):
        assert action_label("officehour.booked") == "Office-hour slot booked"
    slot = _past_booked_slot(bob, alice)
    assert slots_held([bob.pk, alice.pk]) == {bob.pk: 1}
    ((heading, lines),) = officehour_hooks.officehour_facts()
    assert heading == "Sprechstunden"
    assert lines[1] == "Letzte 30 Tage: 1 Termine gehalten mit 1 Personen"
    assert slot.office_hour.host == bob


def _past_booked_slot(host, person) -> OfficeHourSlot:
    day = timezone.localdate() - timedelta(days=2)
    start = timezone.make_aware(datetime.combine(day, time(10)))
    office_hour = OfficeHour.objects.create(
        host=host,
        topic="KI-Sprechstunde",
        location="Raum 2.14",
        first_date=day,
        start_time=time(10),
        end_time=time(10, 20),
        slot_minutes=20,
    )
    slot = OfficeHourSlot.objects.create(
        office_hour=office_hour, starts_at=start, ends_at=start + timedelta(minutes=20)
    )
    Booking.objects.create(slot=slot, user=person, topic="Frage")
    return slot
