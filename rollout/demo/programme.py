"""Demo programme: the five phases of the seed company, with dates around today.

The story on the day it is loaded: kickoff and workshops are done, the use cases and the
exchange formats run, the assistants start next week once the works agreement is signed.
Events, surveys, office hours, decisions and milestones are dated to fit (the demo
coherence test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import User
from rollout.demo.events import seed_events
from rollout.models import Phase, Programme

PROGRAMME_NAME = "KI im Büroalltag"
PHASE_5_STARTS_IN = 7  # days: right after the works agreement is signed

# (number, kind, title, goal, owner, planned start/end in days from today, status)
_PHASES = [
    (
        1,
        Phase.Kind.KICKOFF,
        "Kickoff: KI-Grundlagen für alle",
        "Eine unternehmensweite Veranstaltung vermittelt allen Mitarbeitenden das Basiswissen, "
        "baut Vorbehalte ab und erleichtert den Einstieg.",
        "ada",
        -175,
        -148,
        Phase.Status.DONE,
    ),
    (
        2,
        Phase.Kind.WORKSHOPS,
        "Workshops für Early Adopter",
        "Engagierte Mitarbeitende erhalten vertieftes Wissen und werden als Multiplikatoren für "
        "ihre Teams gewonnen.",
        "ada",
        -145,
        -103,
        Phase.Status.DONE,
    ),
    (
        3,
        Phase.Kind.USE_CASES,
        "Use Cases in den Teams",
        "Die Teams entwickeln kleine, klar abgegrenzte Anwendungsfälle, die im Arbeitsalltag "
        "sofort spürbaren Nutzen stiften; interne Fachkräfte validieren die Ergebnisse.",
        "bob",
        -142,
        40,
        Phase.Status.ACTIVE,
    ),
    (
        4,
        Phase.Kind.EXCHANGE,
        "Austauschformate und Community-Runden",
        "Regelmäßige Austauschformate machen Erfahrungen teilbar und bauen ein internes "
        "Wissensnetzwerk auf.",
        "bob",
        -28,
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
        PHASE_5_STARTS_IN,
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


__all__ = ["PROGRAMME_NAME", "seed_events", "seed_programme"]
