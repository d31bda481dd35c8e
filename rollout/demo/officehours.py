"""Demo office hours: four hosts, slots held and coming, bookings by demo people incl. alice.

Runs after the demo people and multipliers. Idempotent: office hours are keyed by host and
topic, and nothing is added once the first one exists. Writes rows directly (no services,
no audit entries, no mails), so it stays fast; the coming slots come from the generator.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.demo import DEMO_DOMAIN
from portal.models import User
from portal.roles import Role
from rollout.models import Booking, OfficeHour, OfficeHourSlot, Registration
from rollout.officehours.services import office_hour_days, officehour_generate, slot_rows

MEETING = f"https://meet.{DEMO_DOMAIN}/ki-sprechstunde"


@dataclass(frozen=True)
class _Spec:
    host: str  # a cast member, or "dept:XX" for a multiplier of that department
    topic: str
    text: str
    weekday: int  # 0 = Monday
    weeks_ago: int  # the first date, relative to this week; negative: in the future
    start: time
    end: time
    minutes: int
    interval: int  # 0: one-off
    room: str = ""
    online: bool = False


SPECS = [
    _Spec(
        "bob",
        "KI-Sprechstunde: Prompting",
        "Bringt eure Fragen zum Prompting mit: Entwürfe, Zusammenfassungen, technische "
        "Dokumentation. Gern mit einem Beispiel aus eurem Alltag (ohne Kundendaten).",
        3,
        6,  # weekly since before the second newsletter, which quotes it
        time(14),
        time(16),
        20,
        1,
        room="Besprechungsraum 2.14",
        online=True,
    ),
    _Spec(
        "rita",
        "Datenschutz-Sprechstunde",
        "Was darf in den Protokollgenerator, was nicht? Fragen zu Datenhoheit, dem lokalen "
        "Modell auf unserem Server und zur Betriebsvereinbarung KI.",
        1,
        6,
        time(10),
        time(11, 30),
        30,
        2,
        online=True,
    ),
    _Spec(
        "bob",
        "Protokollgenerator ausprobieren",
        "Eine Besprechungsmitschrift mitbringen und gemeinsam ein Ergebnisprotokoll erzeugen, "
        "prüfen und freigeben.",
        2,
        -2,  # in the first days of phase 5, when the pilot teams start
        time(13),
        time(15),
        30,
        0,
        room="Schulungsraum 1",
    ),
    _Spec(
        "dept:PL",
        "Sprechstunde in der Halle: KI für Schichtübergaben",
        "Kurz vor Schichtbeginn: Arbeitsanweisungen, Störungsberichte und Übergaben mit KI "
        "vorbereiten. Am Terminal im Pausenraum.",
        0,
        1,
        time(6, 30),
        time(7, 30),
        15,
        1,
        room="Pausenraum Halle 3",
    ),
]

TOPICS = [
    "Lange E-Mail-Verläufe zusammenfassen – wie prüfe ich das Ergebnis?",
    "Arbeitsanweisung für die Schichtübergabe verständlicher formulieren",
    "Welche Daten darf ich in den Protokollgenerator kopieren?",
    "Prompt für Lieferantenanfragen auf Englisch",
    "Störungsbericht strukturieren: Vorlage gesucht",
    "Wie erkenne ich erfundene Quellen in einer Antwort?",
    "Technische Doku für Kunden vereinfachen",
    "Angebotsentwurf aus Stichpunkten erstellen",
]
ALICE_TOPIC = "Wie formuliere ich Prompts für Angebotsentwürfe, ohne Kundendaten preiszugeben?"
CHARLIE_TOPIC = "Darf ich Kundenbeschwerden mit dem Protokollgenerator zusammenfassen?"


def _person(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _host(spec: str) -> User | None:
    if not spec.startswith("dept:"):
        return _person(spec)
    multipliers = User.objects.filter(
        email__endswith=f"@{DEMO_DOMAIN}",
        groups__name=Role.MULTIPLIER,
        department__short_name=spec.removeprefix("dept:"),
    ).exclude(email=f"bob@{DEMO_DOMAIN}")
    return multipliers.order_by("pk").first()


def _first_date(spec: _Spec, today: date) -> date:
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=-spec.weeks_ago, days=spec.weekday)


def _office_hour(spec: _Spec, host: User, today: date) -> OfficeHour:
    office_hour = OfficeHour.objects.create(
        host=host,
        topic=spec.topic,
        description=spec.text,
        location=spec.room,
        online_url=MEETING if spec.online else "",
        first_date=_first_date(spec, today),
        start_time=spec.start,
        end_time=spec.end,
        slot_minutes=spec.minutes,
        weekly=spec.interval > 0,
        interval_weeks=max(spec.interval, 1),
    )
    now = timezone.now()
    past = [d for d in office_hour_days(office_hour, last_day=today) if d <= today]
    held = [s for s in slot_rows(office_hour, past) if s.starts_at <= now]
    OfficeHourSlot.objects.bulk_create(held)
    officehour_generate(office_hour)
    return office_hour


def _bookings(office_hours: list[OfficeHour], rng: random.Random) -> list[Booking]:
    """Book about half the held slots and a third of the next two weeks' slots."""
    now = timezone.now()
    people = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
        .exclude(email__regex=r"^(alice|bob|rita|ada|walter|charlie)@")
        .order_by("pk")[:60]
    )
    slots = list(
        OfficeHourSlot.objects.filter(
            office_hour__in=office_hours, starts_at__lt=now + timedelta(days=14)
        )
        .select_related("office_hour")
        .order_by("starts_at")
    )
    rows = []
    for slot in slots:  # the demo office hours never overlap, so nobody is booked twice
        share = 0.5 if slot.starts_at < now else 0.3
        person = rng.choice(people)
        if rng.random() >= share or slot.office_hour.host_id == person.pk:
            continue
        past = slot.starts_at < now
        rows.append(
            Booking(
                slot=slot,
                user=person,
                topic=rng.choice(TOPICS),
                reminded_at=slot.starts_at - timedelta(hours=23) if past else None,
            )
        )
    return rows


def _book_next(office_hour: OfficeHour, user: User, topic: str, taken: set[int]) -> list[Booking]:
    """Book the first free slot of `office_hour` from tomorrow on for a cast member, at a time
    the person is not at one of their events."""
    events = list(
        Registration.objects.filter(user=user)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("event__starts_at", "event__ends_at")
    )
    slots = (
        office_hour.slots.filter(starts_at__gt=timezone.now() + timedelta(days=1))
        .exclude(pk__in=taken)
        .order_by("starts_at")
    )
    for slot in slots[:50]:
        if not any(s < slot.ends_at and slot.starts_at < e for s, e in events):
            taken.add(slot.pk)
            return [Booking(slot=slot, user=user, topic=topic)]
    return []


@transaction.atomic
def seed_office_hours(write: Callable[[str], None]) -> None:
    if OfficeHour.objects.filter(host__email__endswith=f"@{DEMO_DOMAIN}").exists():
        write("Demo office hours already present.")
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    office_hours = []
    for spec in SPECS:
        host = _host(spec.host)
        if host is not None:
            office_hours.append(_office_hour(spec, host, today))
    if not office_hours:
        write("Demo office hours skipped: no demo hosts (seed the people first).")
        return
    by_topic = {o.topic: o for o in office_hours}
    taken: set[int] = set()
    rows = []
    for local, spec, topic in (
        ("alice", SPECS[0], ALICE_TOPIC),
        ("charlie", SPECS[1], CHARLIE_TOPIC),
    ):
        office_hour, person = by_topic.get(spec.topic), _person(local)
        if office_hour is not None and person is not None:
            rows += _book_next(office_hour, person, topic, taken)
    rows += [b for b in _bookings(office_hours, rng) if b.slot_id not in taken]
    Booking.objects.bulk_create(rows)
    slots = OfficeHourSlot.objects.filter(office_hour__in=office_hours).count()
    write(
        f"Demo office hours: {len(office_hours)} with {slots} slots and {len(rows)} bookings "
        f"(alice and charlie each have one coming)."
    )
