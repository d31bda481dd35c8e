"""Demo multipliers, stakeholder groups, steering decisions and ethics reviews.

Runs after the demo people, programme and events. Idempotent: multipliers are seeded once,
the governance records are keyed by name, title and subject. Writes rows directly (no
service, no audit entries, no mails) so that it stays fast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.demo import DEMO_DOMAIN
from portal.models import User
from portal.roles import Role
from rollout.models import (
    Decision,
    EthicsReview,
    Event,
    Multiplier,
    Programme,
    Registration,
    StakeholderGroup,
    StakeholderStatus,
)

PENDING_CANDIDATES = 3
_L = StakeholderStatus.Level
_O = EthicsReview.Outcome

# What multipliers take care of: by cast member, else by department short name.
FOCUS = {
    "bob": ["Protokollgenerator und Prompting für technische Dokumentation"],
    "GF": [
        "Entwürfe für Richtlinien und Rundschreiben",
        "Präsentationen für die Geschäftsführung",
        "Auswertungen im Einkauf",
    ],
    "VT": [
        "Angebotsentwürfe und Kundenkorrespondenz",
        "Gesprächsnotizen aus Kundenterminen",
        "Marktrecherche und Wettbewerbsvergleiche",
    ],
    "KE": [
        "Lastenhefte und Normenrecherche",
        "Technische Dokumentation verständlich schreiben",
        "Änderungsanträge zusammenfassen",
    ],
    "PL": [
        "Arbeitsanweisungen und Schichtübergaben",
        "Störungsberichte strukturiert erfassen",
        "Lieferantenkommunikation",
    ],
    "KS": [
        "Antwortvorlagen im Kundenservice",
        "FAQ und Wissensdatenbank pflegen",
        "Reklamationen zusammenfassen",
    ],
    "IT": [
        "Sichere Nutzung des lokalen Modells",
        "Prompting-Grundlagen für Einsteiger",
        "Quellen und Retrieval",
    ],
}

# (name, kind, contact, involvement, concerns, [(level, note) for phases 1–5])
GROUPS = [
    (
        "Fachbereich Vertrieb",
        StakeholderGroup.Kind.BUSINESS_UNIT,
        "dept:VT",
        "Definiert Anwendungsfälle (Angebote, Kundenkorrespondenz), KPIs und "
        "Qualitätsanforderungen; stellt drei Multiplikator:innen.",
        "Kundendaten dürfen nicht in fremde Systeme gelangen; Sorge, dass KI-Texte "
        "unpersönlich wirken.",
        [
            (_L.COMMITTED, ""),
            (_L.INVOLVED, "Zwei Workshops voll besetzt"),
            (_L.INVOLVED, "Use Case Angebotsentwürfe im Pilot"),
            (_L.INVOLVED, ""),
            (_L.INFORMED, ""),
        ],
    ),
    (
        "Fachbereich Produktion & Logistik",
        StakeholderGroup.Kind.BUSINESS_UNIT,
        "dept:PL",
        "Größter Bereich; bringt Anwendungsfälle für Arbeitsanweisungen und Störungsberichte ein.",
        "Schichtbetrieb lässt wenig Zeit für Schulungen; viele Beschäftigte ohne eigenen "
        "Bildschirmarbeitsplatz.",
        [
            (_L.INFORMED, "Kickoff in zwei Schichten wiederholt"),
            (_L.CONSULTED, ""),
            (_L.CONCERNS, "Use Cases passen oft nicht zur Arbeit in der Halle; Zeit fehlt"),
            (_L.INFORMED, ""),
            (_L.NOT_INVOLVED, ""),
        ],
    ),
    (
        "Fachbereich Verwaltung",
        StakeholderGroup.Kind.BUSINESS_UNIT,
        "dept:GF",
        "Personal, Einkauf und Buchhaltung; testet Protokoll- und Berichtsgenerator.",
        "",
        [
            (_L.INFORMED, ""),
            (_L.INVOLVED, ""),
            (_L.INVOLVED, "Pilot Monatsbericht Einkauf"),
            (_L.CONSULTED, ""),
            (_L.INFORMED, ""),
        ],
    ),
    (
        "IT & Informationssicherheit",
        StakeholderGroup.Kind.IT_SECURITY,
        "rita",
        "Betreibt den Server mit dem lokalen Sprachmodell, schafft Governance und überwacht "
        "den Betrieb; prüft Ergebnisse vor der Übernahme in den Alltag.",
        "Serverkapazität, wenn alle Teams den Protokollgenerator nutzen; Rechtekonzept.",
        [
            (_L.INVOLVED, ""),
            (_L.INVOLVED, "Workshop Datenschutz und Guardrails"),
            (_L.COMMITTED, ""),
            (_L.INVOLVED, ""),
            (_L.CONCERNS, "Lastspitzen am Montagmorgen: zweiter GPU-Server nötig?"),
        ],
    ),
    (
        "Betriebsrat & Datenschutz",
        StakeholderGroup.Kind.WORKS_COUNCIL,
        "walter",
        "Beleuchtet Auswirkungen auf den Arbeitsalltag und die rechtlichen Rahmenbedingungen; "
        "verhandelt die Betriebsvereinbarung KI.",
        "Keine Leistungs- und Verhaltenskontrolle durch KI; Aufbewahrung von Protokollen und "
        "Transkripten; Freiwilligkeit.",
        [
            (_L.CONSULTED, ""),
            (_L.CONSULTED, ""),
            (_L.INVOLVED, "Sitzt im Ethikboard"),
            (_L.INFORMED, ""),
            (_L.CONCERNS, "Betriebsvereinbarung vor dem breiten Einsatz der Assistenten"),
        ],
    ),
    (
        "Geschäftsführung",
        StakeholderGroup.Kind.MANAGEMENT,
        "ada",
        "Sitzt dem KI-Lenkungskreis vor; entscheidet über Prioritäten, Budgets und "
        "Risikoabwägungen.",
        "",
        [
            (_L.COMMITTED, ""),
            (_L.COMMITTED, ""),
            (_L.COMMITTED, ""),
            (_L.INFORMED, ""),
            (_L.COMMITTED, "Budget für Hardware freigegeben"),
        ],
    ),
]

# (title, days from today, rationale, budget or "", risks, phase numbers)
DECISIONS = [
    (
        "Lokales Sprachmodell statt Cloud-Dienst",
        -175,
        "Unternehmensdaten sollen nicht auf externen Servern verarbeitet werden. Ein lokales "
        "Modell auf eigener Hardware gibt volle Kontrolle über sensible Daten.",
        "",
        "Höherer Betriebsaufwand; kleinere Modelle sind weniger leistungsfähig als große "
        "Cloud-Modelle.",
        [3, 5],
    ),
    (
        "Budget für Server-Hardware (GPU-Server)",
        -168,
        "Für das lokale Modell wird ein GPU-Server im eigenen Rechenzentrum beschafft.",
        "38500.00",
        "Lieferzeiten; Wartung und Ersatzteile; Stromkosten.",
        [5],
    ),
    (
        "Freistellung der Multiplikator:innen",
        -120,
        "Early Adopter erhalten bewusst Zeit, um frei zu experimentieren und ihre "
        "Erkenntnisse weiterzugeben: bis zu vier Stunden pro Woche.",
        "12500.00",
        "Engpässe in den Teams während der Pilotphase.",
        [2, 4],
    ),
    (
        "Betriebsvereinbarung KI",
        -90,
        "Vor dem breiten Einsatz von Assistenten wird mit dem Betriebsrat eine "
        "Betriebsvereinbarung zu Zweck, Daten, Aufbewahrung und Kontrolle geschlossen.",
        "",
        "Verzögerung der Phase 5, falls die Verhandlungen länger dauern.",
        [5],
    ),
    (
        "Community-Runden alle zwei Wochen als Arbeitszeit",
        -25,
        "Austausch verankert das Wissen; die Teilnahme gilt als Arbeitszeit.",
        "",
        "Geringe Teilnahme aus der Produktion wegen Schichtbetrieb.",
        [4],
    ),
    (
        "Freigabe Protokollgenerator für Pilotteams",
        -14,
        "Der Protokollgenerator wird zum Start der Phase 5 für drei Pilotteams freigegeben, "
        "unter den Auflagen des Ethikboards und sobald die Betriebsvereinbarung unterzeichnet "
        "ist.",
        "",
        "Fehlerhafte Zusammenfassungen; Ergebnisse werden vor der Übernahme geprüft.",
        [3, 5],
    ),
]

# (subject, phase, fairness, bias, effects on staff, outcome, conditions, reviewed days ago)
REVIEWS = [
    (
        "Protokollgenerator für Besprechungen",
        5,
        "Alle Teilnehmenden werden gleich behandelt; Redeanteile werden nicht ausgewertet.",
        "Das Modell kann Beiträge in Dialekt oder von Nicht-Muttersprachlern schlechter erfassen.",
        "Entlastet bei der Dokumentation; Sorge vor Überwachung muss ernst genommen werden.",
        _O.CONDITIONS,
        "Keine Leistungs- und Verhaltenskontrolle; Protokolle nur mit Zustimmung der "
        "Teilnehmenden; Transkripte werden nach 30 Tagen gelöscht.",
        -21,
    ),
    (
        "Antwortvorschläge im Kundenservice",
        3,
        "Vorschläge werden von Mitarbeitenden geprüft und angepasst, bevor sie rausgehen.",
        "Vorlagen wurden auf diskriminierende Formulierungen geprüft.",
        "Weniger Routinearbeit; die Verantwortung bleibt beim Menschen.",
        _O.APPROVED,
        "",
        -45,
    ),
    (
        "Automatische Auswertung von Mitarbeitergesprächen",
        3,
        "Eine Bewertung von Personen durch KI ist nicht nachvollziehbar.",
        "Hohes Risiko verzerrter Einschätzungen.",
        "Wäre eine Leistungs- und Verhaltenskontrolle.",
        _O.REJECTED,
        "",
        -70,
    ),
    (
        "Berichtsgenerator für Monatsberichte der Produktion",
        5,
        "",
        "",
        "Wird mit dem Betriebsrat noch geklärt.",
        _O.PENDING,
        "",
        None,
    ),
]


def _cast(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


@transaction.atomic
def seed_multipliers(write: Callable[[str], None]) -> None:
    """Confirm past workshops' attendees (all but a few) and record the role holders."""
    if Multiplier.objects.exists():
        write("Demo multipliers already present.")
        return
    now = timezone.now()
    admin = _cast("ada")
    group = Group.objects.get(name=Role.MULTIPLIER)
    holders = set(group.user_set.values_list("pk", flat=True))
    workshops = list(
        Event.objects.filter(kind=Event.Kind.WORKSHOP, ends_at__lt=now).order_by("starts_at")
    )
    first = workshops[0] if workshops else None
    attended: dict[int, Registration] = {}
    for registration in Registration.objects.filter(
        event__in=workshops, attended_at__isnull=False
    ).order_by("attended_at", "pk"):
        attended.setdefault(registration.user_id, registration)
    pool = sorted(pk for pk in attended if pk not in holders)
    pending = pool[-PENDING_CANDIDATES:]
    if len(pending) < 2:
        pending += _add_attendees(workshops, exclude=holders | set(attended), now=now)
    confirmed = [pk for pk in pool if pk not in pending]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=pk, group_id=group.pk) for pk in confirmed],
        ignore_conflicts=True,
    )
    people = User.objects.filter(pk__in=holders | set(confirmed)).select_related("department")
    rows, per_department = [], Counter()
    for index, person in enumerate(people.order_by("pk")):
        registration = attended.get(person.pk)
        source = registration.event if registration else None
        short = person.department.short_name if person.department else ""
        options = FOCUS.get(person.email.split("@")[0]) or FOCUS.get(short) or [""]
        per_department[short] += 1
        rows.append(
            Multiplier(
                user=person,
                focus=options[(per_department[short] - 1) % len(options)],
                source_event=source,
                confirmed_by=admin,
                # role holders without a workshop record were trained at the first one
                confirmed_at=min(now, (source or first).ends_at + timedelta(days=3))
                if source or first
                else now - timedelta(days=90 - index),
            )
        )
    Multiplier.objects.bulk_create(rows)
    write(f"Demo multipliers: {len(rows)} confirmed, {len(pending)} candidates waiting.")


def _add_attendees(workshops: list[Event], *, exclude: set[int], now) -> list[int]:
    """Check a few employees in at a past workshop, so that candidates wait for an admin."""
    workshop = next(
        (
            w
            for w in sorted(workshops, key=lambda w: w.starts_at, reverse=True)
            if w.capacity - w.seats_taken >= PENDING_CANDIDATES
        ),
        None,
    )
    if workshop is None:
        return []
    eligible = (
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
        .exclude(pk__in=exclude)
        .exclude(pk=workshop.host_id)
        .exclude(groups__name__in=[Role.PROGRAMME_ADMIN, Role.WORKS_COUNCIL, Role.REVIEWER])
        .exclude(email__regex=r"^(alice|charlie)@")
    )
    # One from each of a few departments, so that the list looks like a real company's.
    people = [
        person
        for short in ("VT", "PL", "KS")
        if (person := eligible.filter(department__short_name=short).order_by("pk").first())
    ]
    Registration.objects.bulk_create(
        [
            Registration(
                event=workshop,
                user=person,
                status=Registration.Status.CONFIRMED,
                attended_at=workshop.starts_at + timedelta(minutes=5),
            )
            for person in people
        ]
    )
    Event.objects.filter(pk=workshop.pk).update(seats_taken=F("seats_taken") + len(people))
    return [p.pk for p in people]


@transaction.atomic
def seed_governance(write: Callable[[str], None]) -> None:
    """Stakeholder groups with a status per phase, decisions and ethics reviews."""
    from rollout.demo.programme import PROGRAMME_NAME

    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    if programme is None:
        write("No demo programme: governance records skipped.")
        return
    today = timezone.localdate()
    admin = _cast("ada")
    phases = {p.number: p for p in programme.phases.all()}
    created = 0
    for name, kind, contact, involvement, concerns, levels in GROUPS:
        group, new = StakeholderGroup.objects.get_or_create(
            programme=programme,
            name=name,
            defaults={
                "kind": kind,
                "contact": _contact(contact),
                "involvement": involvement,
                "concerns": concerns,
            },
        )
        created += new
        for number, (level, note) in enumerate(levels, start=1):
            if number in phases:
                StakeholderStatus.objects.get_or_create(
                    group=group, phase=phases[number], defaults={"level": level, "note": note}
                )
    for title, days, rationale, budget, risks, numbers in DECISIONS:
        decision, new = Decision.objects.get_or_create(
            programme=programme,
            title=title,
            defaults={
                "decided_on": today + timedelta(days=days),
                "rationale": rationale,
                "budget_eur": Decimal(budget) if budget else None,
                "risks": risks,
                "recorded_by": admin,
            },
        )
        if new:
            decision.phases.set([phases[n] for n in numbers if n in phases])
            created += 1
    for subject, number, fairness, bias, effects, outcome, conditions, days in REVIEWS:
        _review, new = EthicsReview.objects.get_or_create(
            programme=programme,
            subject=subject,
            defaults={
                "phase": phases.get(number),
                "fairness": fairness,
                "bias": bias,
                "staff_effects": effects,
                "outcome": outcome,
                "conditions": conditions,
                "reviewed_on": today + timedelta(days=days) if days is not None else None,
                "recorded_by": admin,
            },
        )
        created += new
    write(f"Demo governance: {created} records created.")


def _contact(spec: str) -> User | None:
    """A cast member ("walter") or the first person of a department ("dept:VT")."""
    if not spec.startswith("dept:"):
        return _cast(spec)
    return (
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", department__short_name=spec[5:])
        .exclude(email__regex=r"^(alice|bob|rita|ada|walter|charlie)@")
        .order_by("pk")
        .first()
    )
