"""Demo programme: the five phases of the seed company, with dates around today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import User
from rollout.models import Phase, Programme

PROGRAMME_NAME = "KI im Büroalltag"

# (number, kind, title, goal, owner, planned start/end in days from today, status)
_PHASES = [
    (
        1,
        Phase.Kind.KICKOFF,
        "Kickoff: KI-Grundlagen für alle",
        "Eine unternehmensweite Veranstaltung vermittelt allen Mitarbeitenden das Basiswissen, "
        "baut Vorbehalte ab und erleichtert den Einstieg.",
        "ada",
        -160,
        -130,
        Phase.Status.DONE,
    ),
    (
        2,
        Phase.Kind.WORKSHOPS,
        "Workshops für Early Adopter",
        "Engagierte Mitarbeitende erhalten vertieftes Wissen und werden als Multiplikatoren für "
        "ihre Teams gewonnen.",
        "ada",
        -125,
        -60,
        Phase.Status.DONE,
    ),
    (
        3,
        Phase.Kind.USE_CASES,
        "Use Cases in den Teams",
        "Die Teams entwickeln kleine, klar abgegrenzte Anwendungsfälle, die im Arbeitsalltag "
        "sofort spürbaren Nutzen stiften; interne Fachkräfte validieren die Ergebnisse.",
        "bob",
        -55,
        45,
        Phase.Status.ACTIVE,
    ),
    (
        4,
        Phase.Kind.EXCHANGE,
        "Austauschformate und Community-Runden",
        "Regelmäßige Austauschformate machen Erfahrungen teilbar und bauen ein internes "
        "Wissensnetzwerk auf.",
        "bob",
        -20,
        120,
        Phase.Status.ACTIVE,
    ),
    (
        5,
        Phase.Kind.ASSISTANTS,
        "KI-Assistenten im Alltag",
        "Schrittweise Einführung leicht nutzbarer Werkzeuge wie Protokoll- und "
        "Berichtsgenerator – auf dem eigenen Server, ohne dass Daten das Haus verlassen.",
        "rita",
        30,
        180,
        Phase.Status.PLANNED,
    ),
]


@transaction.atomic
def seed_programme(write: Callable[[str], None]) -> None:
    if Programme.objects.filter(name=PROGRAMME_NAME).exists():
        write("Demo programme already present.")
        return
    programme = Programme.objects.create(
        name=PROGRAMME_NAME,
        organisation="Hallberg Antriebstechnik GmbH",
        description=(
            "Wir führen generative KI schrittweise ein: erst Grundlagen für alle, dann "
            "Multiplikatoren, konkrete Use Cases, Austausch und schließlich Assistenten. "
            "Datenschutz und Datenhoheit sind dabei die Voraussetzung, nicht die Kür."
        ),
    )
    today = timezone.localdate()
    owners = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__regex=r"^(ada|bob|rita)@")
    }
    for number, kind, title, goal, owner, start, end, status in _PHASES:
        Phase.objects.create(
            programme=programme,
            number=number,
            kind=kind,
            title=title,
            goal=goal,
            owner=owners.get(owner),
            status=status,
            planned_start=today + timedelta(days=start),
            planned_end=today + timedelta(days=end),
            actual_start=today + timedelta(days=start) if status != Phase.Status.PLANNED else None,
            actual_end=today + timedelta(days=end + 3) if status == Phase.Status.DONE else None,
        )
    write(f"Demo programme: {PROGRAMME_NAME!r} with {len(_PHASES)} phases.")


# (kind, title, days from today, hour, duration h, seats, room or "", phase number, host)
_EVENTS = [
    (
        "kickoff",
        "Kickoff: Was KI im Büro kann – und was nicht",
        -150,
        10,
        2,
        220,
        "Kantine",
        1,
        "ada",
    ),
    (
        "workshop",
        "Early-Adopter-Workshop: Prompting in der Praxis",
        -100,
        9,
        4,
        16,
        "Schulungsraum 2",
        2,
        "bob",
    ),
    (
        "workshop",
        "Early-Adopter-Workshop: Datenschutz und Guardrails",
        9,
        9,
        4,
        2,
        "Schulungsraum 2",
        2,
        "rita",
    ),
    ("community_round", "Community-Runde: Use Cases aus dem Vertrieb", 4, 14, 1, 30, "", 4, "bob"),
    (
        "community_round",
        "Community-Runde: Erfahrungen mit dem Protokollgenerator",
        18,
        14,
        1,
        30,
        "",
        4,
        "bob",
    ),
    (
        "training",
        "Training für Multiplikator:innen: Retrieval und Quellen",
        12,
        13,
        2,
        12,
        "Schulungsraum 1",
        3,
        "rita",
    ),
    (
        "sprint",
        "Co-Creation-Sprint: Angebotsentwürfe im Kundenservice",
        25,
        9,
        8,
        8,
        "Projektraum",
        3,
        "ada",
    ),
]


@transaction.atomic
def seed_events(write: Callable[[str], None]) -> None:
    from rollout.models import Event
    from rollout.services.events import registration_create

    if Event.objects.exists():
        write("Demo events already present.")
        return
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    phases = {p.number: p for p in programme.phases.all()} if programme else {}
    hosts = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__regex=r"^(ada|bob|rita)@")
    }
    today = timezone.localdate()
    events = []
    for kind, title, days, hour, hours, seats, room, phase, host in _EVENTS:
        start = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))
        events.append(
            Event.objects.create(
                kind=kind,
                title=title,
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                capacity=seats,
                location=room,
                online_url="" if room else "https://meet.hallberg.example/ki-runde",
                phase=phases.get(phase),
                host=hosts.get(host),
                description=(
                    "Anmeldung über das Portal; bei vollem Termin rücken Sie von der "
                    "Warteliste nach."
                ),
            )
        )
    people = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(email__regex=r"^(alice|bob|charlie|walter)@")
    }
    full_workshop = events[2]  # two seats: alice and bob get them, charlie waits
    for name in ("alice", "bob", "charlie"):
        if name in people:
            registration_create(event=full_workshop, user=people[name])
    if "alice" in people:
        registration_create(event=events[3], user=people["alice"])
    write(f"Demo events: {len(events)}, one of them full with a waiting list.")
