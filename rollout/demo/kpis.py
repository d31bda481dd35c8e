"""Demo milestones and KPIs for the five phases, with twelve weeks of KPI history.

Milestones with a data source are tied to their KPI and reached by the data (on the day
it got there), so the demo never shows one overdue whose figure is met.

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
# phase number → [(title, due in days from today, done in days from today or None)], ticked
# by hand; or [(title, due, name of a KPI of the phase, threshold or None for its target)],
# reached by the data – milestones with a data source are never ticked by hand.
_MILESTONES = {
    1: [
        ("Kickoff-Konzept mit der Geschäftsführung abgestimmt", -170, -171),
        ("Kickoff-Veranstaltung durchgeführt", -150, -150),
        ("Folien und Aufzeichnung im Portal veröffentlicht", -146, -148),
    ],
    2: [
        ("Workshop-Programm (Prompting, Datenschutz) steht", -140, -141),
        ("12 Multiplikator:innen geschult", -115, "Geschulte Multiplikator:innen", None),
        ("Multiplikator:innen vier Stunden pro Woche freigestellt", -118, -120),
    ],
    3: [
        ("Use-Case-Vorlage und Bewertungskriterien veröffentlicht", -140, -141),
        ("Erste 10 Use Cases eingereicht", -70, "Eingereichte Use Cases", "10"),
        ("5 Use Cases validiert", -10, "Validierte Use Cases", "5"),
        ("Ethikboard hat die Pilot-Use-Cases geprüft", 14, None),
        ("10 Use Cases validiert und im Alltag", 40, "Validierte Use Cases", None),
    ],
    4: [
        ("User Group Vertrieb gestartet", -10, -12),
        ("Drei Austauschrunden durchgeführt", -3, "Durchgeführte Austauschrunden", "3"),
        ("User Group Konstruktion gestartet", 20, None),
        ("8 Austauschrunden durchgeführt", 80, "Durchgeführte Austauschrunden", None),
        ("Wissenssammlung mit 30 Beiträgen", 100, None),
    ],
    5: [
        ("Betriebsvereinbarung KI unterzeichnet", 5, None),
        ("Protokollgenerator-Pilot in drei Teams gestartet", 7, None),
        ("Berichtsgenerator von IT & Datenschutz freigegeben", 70, None),
        ("50 Personen nutzen die Assistenten jede Woche", 150,
         "Wöchentlich aktive Nutzer:innen der Assistenten", None),
        ("Assistenten für alle Abteilungen freigeschaltet", 170, None),
    ],
}  # fmt: skip
# phase number → [(metric, name, unit for manual, target, manual value, entered days ago)]
_KPIS = {
    1: [
        (M.KICKOFF_REACH, "Mitarbeitende beim Kickoff erreicht", "", "80", None, None),
        (M.MANUAL, "Zufriedenheit mit dem Kickoff (Feedbackbogen, 1–5)", "score", "4",
         "4.3", 145),  # the feedback forms were paper: entered by hand
    ],
    2: [(M.MULTIPLIERS_TRAINED, "Geschulte Multiplikator:innen", "", "12", None, None)],
    3: [
        (M.USE_CASES_LOGGED, "Eingereichte Use Cases", "", "30", None, None),
        (M.USE_CASES_VALIDATED, "Validierte Use Cases", "", "10", None, None),
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


def _history(kpi: Kpi, today_value: Decimal, phase: Phase, today) -> list[tuple[int, Decimal]]:
    """Return (days ago, value) per week.

    A count that knows its days (multipliers, use cases, rounds) tells its real history;
    else flat for a done phase, a ramp with a little wobble for a running one.
    """
    count_days = kpi_metrics.METRICS[kpi.metric].count_days
    days = count_days(int(today_value)) if count_days is not None else None
    points = []
    for week in range(HISTORY_WEEKS, 0, -1):
        if days is not None:
            then = today - timedelta(days=week * 7)
            points.append((week * 7, Decimal(sum(1 for d in days if d <= then))))
            continue
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
    kpis, new_kpis = _kpis(phases)
    by_name = {(k.phase_id, k.name): k for k, _e in kpis}
    admin = User.objects.filter(email__startswith="ada@").first()
    new_milestones = 0
    for number, rows in _MILESTONES.items():
        if number not in phases:
            continue
        for title, due, done, *threshold in rows:
            fields = {"due_on": today + timedelta(days=due)}
            if isinstance(done, str):  # reached through this KPI
                fields["kpi"] = by_name[(phases[number].pk, done)]
                fields["threshold"] = Decimal(threshold[0]) if threshold[0] else None
            elif done is not None:
                fields |= {"done_on": today + timedelta(days=done), "done_by": admin}
            _m, created = Milestone.objects.get_or_create(
                phase=phases[number], title=title, defaults=fields
            )
            new_milestones += created
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


def _kpis(phases: dict[int, Phase]) -> tuple[list[tuple[Kpi, int | None]], int]:
    kpis, new = [], 0
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
            new += created
            kpi.phase = phases[number]
            kpis.append((kpi, entered))
    return kpis, new


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
        for days_ago, value in _history(kpi, reading.value, kpi.phase, today):
            day = today - timedelta(days=days_ago)
            rows.append(KpiMeasurement(kpi=kpi, measured_on=day, value=value))
        rows.append(KpiMeasurement(kpi=kpi, measured_on=today, value=reading.value))
    return rows
