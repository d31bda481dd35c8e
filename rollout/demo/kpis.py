"""Demo milestones and KPIs for the five phases, with twelve weeks of KPI history.

Idempotent (milestones keyed by phase and title, KPIs by phase and name, one measurement
per KPI and day) and sends no mail. Runs after the programme, events and multipliers
seeders but needs none of them except the programme: the history leads up to whatever
today's computed value is, and KPIs whose data does not exist yet get no history at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.models import User
from rollout.demo.programme import PROGRAMME_NAME
from rollout.models import Kpi, KpiMeasurement, Milestone, Phase, Programme
from rollout.programme import kpis as kpi_metrics

M = Kpi.Metric
# phase number → [(title, due in days from today, done in days from today or None)]
_MILESTONES = {
    1: [
        ("Kickoff-Konzept mit der Geschäftsführung abgestimmt", -158, -159),
        ("Kickoff-Veranstaltung durchgeführt", -150, -150),
        ("Folien und Aufzeichnung im Portal veröffentlicht", -140, -143),
    ],
    2: [
        ("Workshop-Programm (Prompting, Datenschutz) steht", -120, -121),
        ("12 Multiplikator:innen geschult", -70, -66),
        ("Betriebsvereinbarung KI unterzeichnet", -62, -58),
    ],
    3: [
        ("Use-Case-Vorlage und Bewertungskriterien veröffentlicht", -45, -47),
        ("Erste 10 Use Cases eingereicht", -10, None),  # the overdue one
        ("Ethikboard hat die Pilot-Use-Cases geprüft", 14, None),
        ("5 Use Cases validiert und im Alltag", 40, None),
    ],
    4: [
        ("Community-Runde alle zwei Wochen etabliert", -5, -8),
        ("User Group Vertrieb gestartet", 25, None),
        ("Wissenssammlung mit 30 Beiträgen", 100, None),
    ],
    5: [
        ("Protokollgenerator-Pilot gestartet", 35, None),
        ("Berichtsgenerator von IT & Datenschutz freigegeben", 70, None),
        ("Assistenten für alle Abteilungen freigeschaltet", 170, None),
    ],
}
# phase number → [(metric, name, unit for manual, target, manual value, entered days ago)]
_KPIS = {
    1: [
        (M.KICKOFF_REACH, "Mitarbeitende beim Kickoff erreicht", "", "80", None, None),
        (M.MANUAL, "Zufriedenheit mit dem Kickoff (Feedbackbogen, 1–5)", "score", "4",
         "4.3", 145),  # the feedback forms were paper: entered by hand
    ],
    2: [(M.MULTIPLIERS_TRAINED, "Geschulte Multiplikator:innen", "", "12", None, None)],
    3: [
        (M.USE_CASES_VALIDATED, "Validierte Use Cases", "", "5", None, None),
        (M.TIME_SAVED, "Eingesparte Zeit pro Woche", "", "40", None, None),
    ],
    4: [
        (M.ROUNDS_HELD, "Durchgeführte Austauschrunden", "", "8", None, None),
        (M.ROUND_ATTENDANCE, "Teilnehmende pro Runde", "", "15", None, None),
        (M.SURVEY_CONFIDENCE, "Sicherheit im Umgang mit KI (Pulsbefragung)", "", "4", None, None),
    ],
    5: [
        (M.WEEKLY_ASSISTANT_USERS, "Wöchentlich aktive Nutzer:innen der Assistenten", "", "50",
         None, None),
        (M.PROTOCOLS_APPROVED, "Freigegebene Protokolle", "", "30", None, None),
    ],
}  # fmt: skip
_DEFINITIONS = {
    M.MANUAL: "Durchschnitt der Papier-Feedbackbögen nach dem Kickoff "
    "(1 = gar nicht zufrieden, 5 = sehr zufrieden), von Hand übertragen.",
}
HISTORY_WEEKS = 12


def _history(kpi: Kpi, today_value: Decimal, phase: Phase) -> list[tuple[int, Decimal]]:
    """Return (days ago, value) per week: flat for a done phase, else a ramp with wobble."""
    points = []
    for week in range(HISTORY_WEEKS, 0, -1):
        if phase.status == Phase.Status.DONE:
            share = Decimal(1)
        else:
            share = Decimal(HISTORY_WEEKS - week + 4) / (HISTORY_WEEKS + 4)
            share += Decimal((week * 7 + kpi.pk) % 5 - 2) / 100  # a little, repeatable wobble
        points.append((week * 7, kpi_metrics.quantize(max(Decimal(0), today_value * share))))
    if kpi.metric not in (M.ROUND_ATTENDANCE, M.WEEKLY_ASSISTANT_USERS):
        # Cumulative counts never fall.
        running = Decimal(0)
        points = [(d, running := max(running, min(v, today_value))) for d, v in points]
    return points


@transaction.atomic
def seed_milestones_and_kpis(write: Callable[[str], None]) -> None:
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    if programme is None:
        write("Demo milestones and KPIs skipped: no demo programme.")
        return
    today = timezone.localdate()
    phases = {p.number: p for p in programme.phases.all()}
    admin = User.objects.filter(email__startswith="ada@").first()
    new_milestones = new_kpis = 0
    for number, rows in _MILESTONES.items():
        if number not in phases:
            continue
        for title, due, done in rows:
            _m, created = Milestone.objects.get_or_create(
                phase=phases[number],
                title=title,
                defaults={
                    "due_on": today + timedelta(days=due),
                    "done_on": today + timedelta(days=done) if done is not None else None,
                    "done_by": admin if done is not None else None,
                },
            )
            new_milestones += created
    kpis = []
    for number, rows in _KPIS.items():
        if number not in phases:
            continue
        for order, (metric, name, unit, target, manual, entered) in enumerate(rows):
            kpi, created = Kpi.objects.get_or_create(
                phase=phases[number],
                name=name,
                defaults={
                    "metric": metric,
                    "definition": _DEFINITIONS.get(metric, ""),  # "": the standard one
                    "unit": unit or kpi_metrics.METRICS[metric].unit,
                    "target": Decimal(target),
                    "manual_value": Decimal(manual) if manual else None,
                    "order": order,
                },
            )
            new_kpis += created
            kpi.phase = phases[number]
            kpis.append((kpi, entered))
    measurements = _measurements(kpis, today)
    KpiMeasurement.objects.bulk_create(
        measurements,
        update_conflicts=True,
        unique_fields=["kpi", "measured_on"],
        update_fields=["value"],
    )
    write(
        f"Demo milestones: {new_milestones} new; KPIs: {new_kpis} new; "
        f"{len(measurements)} KPI measurements written."
    )


def _measurements(kpis: list[tuple[Kpi, int | None]], today) -> list[KpiMeasurement]:
    readings = kpi_metrics.compute_actuals((k.metric for k, _e in kpis), today)
    rows = []
    for kpi, entered in kpis:
        if kpi.metric == M.MANUAL:
            if kpi.manual_value is not None and entered is not None:
                day = today - timedelta(days=entered)
                rows.append(KpiMeasurement(kpi=kpi, measured_on=day, value=kpi.manual_value))
            continue
        reading = readings.get(kpi.metric)
        if reading is None:
            continue  # pending (use cases, surveys) or no data yet: no made-up history
        for days_ago, value in _history(kpi, reading.value, kpi.phase):
            day = today - timedelta(days=days_ago)
            rows.append(KpiMeasurement(kpi=kpi, measured_on=day, value=value))
        rows.append(KpiMeasurement(kpi=kpi, measured_on=today, value=reading.value))
    return rows
