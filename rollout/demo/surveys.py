"""Demo pulse surveys and feedback: three waves of "Stimmungsbild KI" and a few messages.

Two waves are closed, with answers of about two thirds of the 200 demo people (confidence
rising, job worries easing: a trend to look at); the third is open and alice has not
answered it. "Geschäftsführung & Verwaltung" never has more than three respondents, below
k, so the results show how small departments are merged. Idempotent (surveys keyed by
title, messages by text), written in bulk without services: no audit entries, no mail.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.demo import DEMO_DOMAIN
from portal.models import Department, User
from rollout.demo.programme import PROGRAMME_NAME
from rollout.models import (
    FeedbackMessage,
    Phase,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from rollout.surveys.feedback import month_start
from rollout.surveys.seal import surveys_seal_closed

Kind = SurveyQuestion.Kind
SERIES = "Stimmungsbild KI"
OLD_SERIES = "pulse"  # the series' key before it got a name people read
USAGE = ["täglich", "mehrmals pro Woche", "seltener", "nie"]
QUESTIONS = [
    (Kind.LIKERT, "confidence", "Wie sicher fühlen Sie sich im Umgang mit KI bei der Arbeit?"),
    (Kind.LIKERT, "job_worry", "Sorgen Sie sich wegen KI um Ihren Arbeitsplatz?"),
    (Kind.CHOICE, "usage", "Wie oft nutzen Sie KI-Werkzeuge bei der Arbeit?"),
    (
        Kind.NPS,
        "nps",
        "Wie wahrscheinlich ist es, dass Sie die KI-Werkzeuge des Portals einer Kollegin "
        "oder einem Kollegen empfehlen?",
    ),
    (Kind.TEXT, "wish", "Was würde Ihnen im Umgang mit KI am meisten helfen?"),
]
# (wave, opens / closes in days from today, phase number, share answering,
#  mean confidence, mean job worry, mean recommendation, usage weights)
WAVES = [
    (1, -110, -96, 2, 0.62, 2.6, 3.4, 5.4, [5, 15, 45, 35]),
    (2, -45, -31, 3, 0.70, 3.3, 2.9, 6.8, [15, 30, 40, 15]),
    (3, -4, 10, 4, 0.25, 3.6, 2.6, 7.2, [22, 35, 33, 10]),
]
SMALL_DEPARTMENT = "GF"  # at most three respondents: below k
WISHES = [
    "Mehr Beispiele aus unserem eigenen Arbeitsalltag.",
    "Eine kurze Schulung zum Prompting für unser Team.",
    "Klare Regeln, welche Daten ich eingeben darf.",
    "Zeit zum Ausprobieren, ohne dass das Tagesgeschäft liegen bleibt.",
    "Eine Ansprechperson in der Abteilung, die man schnell fragen kann.",
    "Vorlagen für Angebote und Kundenmails.",
    "Zu wissen, dass die Daten auf unserem Server bleiben.",
    "Dass der Betriebsrat bei neuen Assistenten mitredet.",
    "Mehr Austausch mit anderen Abteilungen in den Community-Runden.",
    "Ehrliche Aussagen dazu, was mit unseren Arbeitsplätzen passiert.",
    "Bessere Ergebnisse bei technischen Texten und Normen.",
    "Weniger Fachbegriffe in den Erklärungen.",
    "Eine Übersicht, welche Use Cases schon freigegeben sind.",
    "<b>Nicht</b> noch ein Werkzeug – lieber eines, das richtig funktioniert.",
]
FEEDBACK = [
    (FeedbackMessage.Kind.CONCERN, 75, "Ich habe Angst, dass meine Stelle in der "
     "Auftragsbearbeitung in zwei Jahren wegfällt. Darüber redet niemand offen."),
    (FeedbackMessage.Kind.IDEA, 75, "Eine Sprechstunde speziell für die Produktion, "
     "am besten zum Schichtwechsel."),
    (FeedbackMessage.Kind.CONCERN, 40, "Werden die Eingaben in den Protokollgenerator "
     "ausgewertet, um Leistung zu kontrollieren?"),
    (FeedbackMessage.Kind.IDEA, 40, "Eine Sammlung guter Prompts für den Kundenservice."),
    (FeedbackMessage.Kind.OTHER, 10, "Danke für die offenen Community-Runden, die helfen "
     "wirklich."),
    (FeedbackMessage.Kind.IDEA, 2, "Die Folien vom Kickoff noch einmal kurz zusammengefasst "
     "für neue Kolleginnen und Kollegen."),
]  # fmt: skip


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _respondents(people: list[User], wave: int, share: float, gf_id: int | None) -> list[User]:
    rng = random.Random(f"pulse-{wave}")  # noqa: S311 - demo data
    chosen, small = [], 0
    for person in people:
        if wave == 3 and person.email == f"alice@{DEMO_DOMAIN}":
            continue  # alice still has the open wave to answer
        if rng.random() >= share:
            continue
        if person.department_id == gf_id:
            if small >= 3:
                continue
            small += 1
        chosen.append(person)
    return chosen


def _answers(
    rng: random.Random, response: SurveyResponse, questions, wave, shift: float, wishes: list[str]
) -> list[SurveyAnswer]:
    _w, _o, _c, _p, _s, confidence, worry, nps, usage = wave
    values = {
        "confidence": _clamp(rng.gauss(confidence + shift, 0.9), 1, 5),
        "job_worry": _clamp(rng.gauss(worry - shift, 1.0), 1, 5),
        "usage": rng.choices(USAGE, usage)[0],
        "nps": _clamp(rng.gauss(nps + 2 * shift, 1.8), 0, 10),
        "wish": wishes.pop() if wishes and rng.random() < 0.3 else "",  # each one once
    }
    rows = []
    for q in questions:
        value = values[q.key]
        if q.kind == Kind.TEXT and value:
            rows.append(SurveyAnswer(response=response, question=q, text=value))
        elif q.kind == Kind.CHOICE:
            rows.append(SurveyAnswer(response=response, question=q, choice=value))
        elif q.kind in (Kind.LIKERT, Kind.SCALE, Kind.NPS):
            rows.append(SurveyAnswer(response=response, question=q, number=value))
    return rows


def _wave(wave, phases: dict[int, Phase], people: list[User], admin: User | None) -> int:
    number, opens, closes, phase, share, *_rest = wave
    title = f"Stimmungsbild KI – Welle {number}"
    # a demo seeded before the series had a name keeps its waves, under the name
    Survey.objects.filter(title=title, series=OLD_SERIES).update(series=SERIES)
    if Survey.objects.filter(title=title, series=SERIES).exists():
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    survey = Survey.objects.create(
        title=title,
        description="Fünf kurze Fragen, zwei Minuten, anonym: Wie geht es Ihnen mit KI "
        "bei der Arbeit? Die Ergebnisse besprechen wir offen in der nächsten Community-Runde.",
        opens_at=now + timedelta(days=opens),
        closes_at=now + timedelta(days=closes),
        phase=phases.get(phase),
        series=SERIES,
        created_by=admin,
    )
    questions = SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            kind=kind,
            key=key,
            text=text,
            choices=USAGE if kind == Kind.CHOICE else [],
            order=i,
        )
        for i, (kind, key, text) in enumerate(QUESTIONS, start=1)
    )
    gf = Department.objects.filter(short_name=SMALL_DEPARTMENT).values_list("pk", flat=True)
    chosen = _respondents(people, number, share, gf.first())
    SurveyParticipation.objects.bulk_create(
        SurveyParticipation(survey=survey, user=p) for p in chosen
    )
    rng = random.Random(f"answers-{number}")  # noqa: S311 - demo data
    shuffled = rng.sample(chosen, len(chosen))  # responses not in participation order
    shift = {"IT": 0.5, "KE": 0.2, "PL": -0.4}
    answers, responses = [], []
    wishes = rng.sample(WISHES, len(WISHES))
    for person in shuffled:
        response = SurveyResponse(id=uuid.uuid4(), survey=survey, department=person.department)
        responses.append(response)
        short = person.department.short_name if person.department else ""
        answers += _answers(rng, response, questions, wave, shift.get(short, 0.0), wishes)
    SurveyResponse.objects.bulk_create(responses)
    SurveyAnswer.objects.bulk_create(answers)
    return len(chosen)


def seed_surveys(write: Callable[[str], None]) -> None:
    from rollout.models import Programme

    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    phases = {p.number: p for p in programme.phases.all()} if programme else {}
    people = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
        .select_related("department")
        .order_by("email")
    )
    if not people:
        write("No demo people: surveys skipped.")
        return
    admin = next((p for p in people if p.email == f"ada@{DEMO_DOMAIN}"), None)
    with transaction.atomic():
        counts = [_wave(wave, phases, people, admin) for wave in WAVES]
        today = timezone.localdate()
        known = set(FeedbackMessage.objects.values_list("text", flat=True))
        new = [
            FeedbackMessage(
                kind=kind, text=text, received_month=month_start(today - timedelta(days=ago))
            )
            for kind, ago, text in FEEDBACK
            if text not in known
        ]
        FeedbackMessage.objects.bulk_create(new)
    # In a transaction of its own: the rewritten rows must not share the seeding's id.
    surveys_seal_closed()
    if not any(counts) and not new:
        write("Demo surveys already present.")
        return
    write(
        f"Demo surveys: {sum(1 for c in counts if c)} waves with "
        f"{sum(counts)} responses; {len(new)} feedback messages."
    )
