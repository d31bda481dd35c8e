"""Demo events: a held kickoff, workshops, community rounds with attendance, what comes next.

Seeded through the models (bulk inserts, no services): no mails leave, and it takes well
under a second. Idempotent: nothing happens when events exist.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import User
from portal.roles import Role
from rollout.events.series import series_generate
from rollout.models import Event, EventMaterial, EventSeries, Programme, Registration

DOMAIN = "hallberg.example"
INTRANET = "https://intranet.hallberg.example/ki"
MEETING = "https://meet.hallberg.example/ki-community"


@dataclass(frozen=True)
class _Spec:
    kind: str
    title: str
    days: int  # from today
    start: time
    hours: float
    seats: int
    room: str
    phase: int
    host: str
    booked: int = 0  # confirmed registrations
    attended: int = 0  # of those, checked in (past events only)
    waiting: int = 0
    materials: tuple[tuple[str, str], ...] = ()
    text: str = "Anmeldung über das Portal; bei vollem Termin rücken Sie von der Warteliste nach."


_SPECS = [
    _Spec("kickoff", "Kickoff: Was KI im Büro kann – und was nicht", -150, time(10), 2, 220,
          "Kantine", 1, "ada", booked=168, attended=140,
          materials=(("Folien zum Kickoff (PDF)", f"{INTRANET}/kickoff-folien.pdf"),
                     ("Aufzeichnung des Kickoffs", f"{INTRANET}/kickoff-aufzeichnung")),
          text="Basiswissen für alle: Was generative KI ist, wo sie im Büro hilft, wo ihre "
               "Grenzen liegen – und warum unsere Daten auf dem eigenen Server bleiben."),
    _Spec("workshop", "Early-Adopter-Workshop: Prompting in der Praxis", -135, time(9), 4, 14,
          "Schulungsraum 2", 2, "bob", booked=14, attended=12,
          materials=(("Übungsblatt Prompting", f"{INTRANET}/workshop-prompting-uebungen.pdf"),
                     ("Prompt-Vorlagen der Teams", f"{INTRANET}/prompt-vorlagen"))),
    _Spec("workshop", "Early-Adopter-Workshop: Use Cases finden und bewerten", -125, time(9), 4,
          14, "Schulungsraum 2", 2, "ada", booked=13, attended=12,
          materials=(("Bewertungsraster für Use Cases", f"{INTRANET}/use-case-raster.xlsx"),)),
    _Spec("training", "Training: Prompting für Einsteiger", -45, time(13), 2, 16,
          "Schulungsraum 1", 3, "bob", booked=15, attended=12),
    _Spec("user_group", "User Group Vertrieb: KI im Angebotsprozess", -12, time(16), 1, 15, "",
          4, "bob", booked=9, attended=8),
    _Spec("workshop", "Workshop für die Pilotteams: Datenschutz und Guardrails", 9, time(9), 4,
          12, "Schulungsraum 2", 5, "rita", booked=12, waiting=3),
    _Spec("training", "Training: Prompting – für Vertrieb und Kundenservice", 12, time(13), 2,
          16, "Schulungsraum 1", 3, "bob", booked=9),
    _Spec("user_group", "User Group Konstruktion: KI in der technischen Dokumentation", 16,
          time(15), 1.5, 15, "Besprechungsraum Werk 2", 4, "bob", booked=6),
    _Spec("training", "Training: Retrieval – mit eigenen Dokumenten arbeiten", 19, time(13), 2,
          12, "Schulungsraum 1", 3, "rita", booked=7),
    _Spec("sprint", "Co-Creation-Sprint: Angebotsentwürfe im Kundenservice", 25, time(9), 8, 8,
          "Projektraum", 3, "ada", booked=5),
    _Spec("training", "Training: Guardrails – sicher und datenschutzkonform", 26, time(10), 2,
          16, "", 3, "rita", booked=4),
]  # fmt: skip

FIRST_WORKSHOPS_BEFORE = -130  # days: the first early-adopter workshop, then the second

_SERIES_TITLE = "Community-Runde: Erfahrungen aus den Teams"


def _people() -> tuple[dict[str, User], list[User], list[User]]:
    """Return the cast by local part, the multipliers, and the employees without a role."""
    people = list(User.objects.filter(email__endswith=f"@{DOMAIN}", is_active=True).order_by("pk"))
    cast = {u.email.split("@")[0]: u for u in people if u.email.split("@")[0].isalpha()}
    roles = dict(
        User.groups.through.objects.filter(user__in=people)
        .exclude(group__name=Role.EMPLOYEE)
        .values_list("user_id", "group__name")
    )
    multipliers = [u for u in people if roles.get(u.pk) == Role.MULTIPLIER]
    return cast, multipliers, [u for u in people if u.pk not in roles]


def _at(day: date, start: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, start))


def _registrations(event: Event, spec: _Spec, chosen: list[User], rng: random.Random) -> list:
    past = event.ends_at < timezone.now()
    rows = []
    for index, user in enumerate(chosen[: spec.booked + spec.waiting]):
        confirmed = index < spec.booked
        checked_in = past and confirmed and index < spec.attended
        minutes = rng.randint(-10, 8)
        rows.append(
            Registration(
                event=event,
                user=user,
                status="confirmed" if confirmed else "waitlisted",
                attended_at=event.starts_at + timedelta(minutes=minutes) if checked_in else None,
                reminded_at=event.starts_at - timedelta(hours=23) if past else None,
            )
        )
    return rows


def _choose(spec: _Spec, cast: dict, multipliers: list, others: list, rng) -> list[User]:
    """Return who registers, in order: the first `booked` get seats, the first `attended` came."""
    host = cast.get(spec.host)
    multipliers = [u for u in multipliers if u != host]
    if spec.kind == "workshop" and spec.days < 0:  # today's multipliers, plus a few new ones
        multipliers = [u for u in multipliers if u not in cast.values()]
        new = [u for u in others if u not in cast.values()]
        if spec.days < FIRST_WORKSHOPS_BEFORE:
            return multipliers[:8] + new[: spec.booked - 8]
        return multipliers[8:] + new[6 : 6 + spec.booked - len(multipliers[8:])]
    pool = [u for u in others + multipliers if u != host and u not in cast.values()]
    rng.shuffle(pool)
    named = {n: cast[n] for n in ("alice", "bob", "charlie", "rita", "walter") if n in cast}
    if spec.kind == "kickoff":  # most came; charlie registered but missed it
        front = [u for n, u in named.items() if n != "charlie"]
        came = front + pool[: spec.attended - len(front)]
        return came + [named["charlie"]] * ("charlie" in named) + pool[len(came) - len(front) :]
    if spec.waiting:  # the full workshop: alice has a seat, charlie is first on the list
        seats = [named["alice"]] * ("alice" in named) + pool
        seats = seats[: spec.booked]
        rest = pool[spec.booked - 1 :] if "alice" in named else pool[spec.booked :]
        return seats + [named["charlie"]] * ("charlie" in named) + rest
    if "Retrieval" in spec.title and "alice" in named:
        return [named["alice"], *pool]
    return pool


def _series(phases: dict, cast: dict, others: list, rng: random.Random) -> tuple[int, int]:
    """The community round every second Thursday: past sessions with attendance, then more."""
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday() - 3 + 21)  # a Thursday three weeks ago
    series = EventSeries.objects.create(
        kind="community_round",
        title=_SERIES_TITLE,
        description="Alle zwei Wochen: Teams zeigen, was mit KI bei ihnen funktioniert – und "
        "was nicht. Offen für alle, ohne Vorkenntnisse.",
        phase=phases.get(4),
        host=cast.get("bob"),
        location="Atrium",
        online_url=MEETING,
        capacity=30,
        first_date=first,
        start_time=time(14),
        duration_minutes=60,
        interval_weeks=2,
    )
    held, rows = 0, []
    for day in (first, first + timedelta(weeks=2)):
        if _at(day, time(15)) >= timezone.now():
            continue
        start = _at(day, time(14))
        booked = rng.randint(14, 20)
        event = Event.objects.create(
            series=series,
            kind=series.kind,
            title=series.title,
            description=series.description,
            phase=series.phase,
            host=series.host,
            location=series.location,
            online_url=series.online_url,
            capacity=series.capacity,
            seats_taken=booked,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        spec = _Spec("community_round", "", -1, time(14), 1, 30, "", 4, "bob", booked=booked,
                     attended=booked - rng.randint(2, 5))  # fmt: skip
        pool = others[:]
        rng.shuffle(pool)
        rows += _registrations(event, spec, pool, rng)
        held += 1
    coming = series_generate(series)
    # The next two sessions already have people registered; alice is in the next one.
    upcoming = series.events.filter(starts_at__gt=timezone.now())[:2]
    for booked, event in zip((12, 5), upcoming, strict=False):
        pool = [u for u in others if u != cast.get("alice")]
        rng.shuffle(pool)
        chosen = [cast["alice"], *pool] if "alice" in cast and booked == 12 else pool
        spec = _Spec("community_round", "", 1, time(14), 1, 30, "", 4, "bob", booked=booked)
        rows += _registrations(event, spec, chosen, rng)
        Event.objects.filter(pk=event.pk).update(seats_taken=booked)
    Registration.objects.bulk_create(rows)
    return held, coming


@transaction.atomic
def seed_events(write: Callable[[str], None]) -> None:
    from rollout.demo.programme import PROGRAMME_NAME

    if Event.objects.exists():
        write("Demo events already present.")
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    phases = {p.number: p for p in programme.phases.all()} if programme else {}
    cast, multipliers, others = _people()
    today = timezone.localdate()
    registrations, materials = [], []
    for spec in _SPECS:
        start = _at(today + timedelta(days=spec.days), spec.start)
        chosen = _choose(spec, cast, multipliers, others, rng)
        event = Event.objects.create(
            kind=spec.kind,
            title=spec.title,
            description=spec.text,
            starts_at=start,
            ends_at=start + timedelta(hours=spec.hours),
            capacity=spec.seats,
            seats_taken=min(spec.booked, len(chosen)),
            location=spec.room,
            online_url="" if spec.room else MEETING,
            phase=phases.get(spec.phase),
            host=cast.get(spec.host),
        )
        registrations += _registrations(event, spec, chosen, rng)
        host = cast.get(spec.host)
        materials += [
            EventMaterial(event=event, title=title, url=url, added_by=host)
            for title, url in spec.materials
        ]
    Registration.objects.bulk_create(registrations)
    EventMaterial.objects.bulk_create(materials)
    held, coming = _series(phases, cast, others, rng)
    write(
        f"Demo events: {len(_SPECS) + held + coming} with {len(registrations)} registrations; "
        f"a community round every second Thursday ({held} held, {coming} coming)."
    )
