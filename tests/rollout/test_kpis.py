"""KPI computation on hand-built data, status and progress, measurements, milestone dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from assistants.models import GenerationJob, Protocol, ProtocolVersion
from rollout.models import Event, Kpi, KpiMeasurement, Milestone, Multiplier, Registration
from rollout.programme import kpis, selectors
from rollout.programme.services import kpis_measure
from rollout.programme.tasks import kpi_measure
from tests.factories import UserFactory, protocol_for
from tests.rollout.access_programme import build_programme

M = Kpi.Metric


def event(kind: str, days: int, *, title: str = "Runde") -> Event:
    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        kind=kind, title=title, starts_at=start, ends_at=start + timedelta(hours=1), capacity=500
    )


def attend(event_: Event, *users, checked_in: bool = True) -> None:
    for user in users:
        Registration.objects.create(
            event=event_,
            user=user,
            status=Registration.Status.CONFIRMED,
            attended_at=event_.starts_at if checked_in else None,
        )


def kpi(phase, metric: str, target: str = "10", **fields) -> Kpi:
    spec = kpis.METRICS[metric]
    fields.setdefault("unit", spec.unit or Kpi.Unit.COUNT)
    return Kpi.objects.create(
        phase=phase, metric=metric, name=f"KPI {metric}", definition="", target=Decimal(target),
        **fields,
    )  # fmt: skip


@pytest.mark.django_db
def test_kickoff_reach_counts_active_staff_checked_in_at_a_kickoff(alice, bob, charlie) -> None:
    gone = UserFactory(email="gone@firma.test")
    gone.is_active = False
    gone.save()
    kickoff, workshop = event("kickoff", -30), event("workshop", -10)
    attend(kickoff, alice, gone)  # the one who left does not count, either way
    attend(kickoff, bob, checked_in=False)  # registered, never came
    attend(workshop, charlie)  # another kind of event
    reading = kpis.kickoff_reach(timezone.localdate())
    assert reading.parts == {"staff": 3, "reached": 1}
    assert reading.value == Decimal("33.3")
    assert kpis.describe(M.KICKOFF_REACH, reading).startswith("1 ")


@pytest.mark.django_db
def test_kickoff_reach_without_staff_is_zero() -> None:
    assert kpis.kickoff_reach(timezone.localdate()).value == 0


@pytest.mark.django_db
def test_multipliers_trained_counts_rows(alice, bob) -> None:
    for user in (alice, bob):
        Multiplier.objects.create(user=user, confirmed_at=timezone.now())
    assert kpis.multipliers_trained(timezone.localdate()).value == 2


@pytest.mark.django_db
def test_exchange_rounds_held_and_attendance(alice, bob, charlie) -> None:
    round1, group = event("community_round", -14), event("user_group", -7)
    attend(round1, alice, bob)
    attend(group, charlie)
    attend(event("sprint", -3), alice, checked_in=False)  # nobody came: not held
    attend(event("workshop", -3), alice, bob, charlie)  # not an exchange format
    attend(event("community_round", 5), alice)  # still to come
    assert kpis.rounds_held(timezone.localdate()).value == 2
    attendance = kpis.round_attendance(timezone.localdate())
    assert attendance.value == Decimal("1.5")
    assert attendance.parts == {"rounds": 2, "attendees": 3}


@pytest.mark.django_db
def test_round_attendance_without_rounds_is_no_data() -> None:
    assert kpis.round_attendance(timezone.localdate()) is None
    assert kpis.rounds_held(timezone.localdate()).value == 0


@pytest.mark.django_db
def test_weekly_assistant_users_are_distinct_recent_owners(alice, bob, charlie) -> None:
    for owner in (alice, alice, bob, charlie):
        GenerationJob.objects.create(owner=owner)
    old = GenerationJob.objects.filter(owner=charlie)
    old.update(created_at=timezone.now() - timedelta(days=8))
    assert kpis.weekly_assistant_users(timezone.localdate()).value == 2


@pytest.mark.django_db
def test_protocols_approved_counts_approved_ones_also_when_reopened(alice) -> None:
    protocol_for(alice, title="Entwurf")  # a draft: not counted
    _job, approved = protocol_for(alice, title="Freigegeben")
    _job, reopened = protocol_for(alice, title="Neue Version")
    Protocol.objects.filter(pk=approved.pk).update(status=Protocol.Status.APPROVED)
    ProtocolVersion.objects.create(
        protocol=reopened, number=1, data=reopened.data, approved_at=timezone.now()
    )
    assert kpis.protocols_approved(timezone.localdate()).value == 2


@pytest.mark.django_db
def test_pending_metrics_say_so_until_registered(monkeypatch) -> None:
    # As before the use-case library registered its computation at start-up.
    spec = kpis.METRICS[M.USE_CASES_VALIDATED]
    monkeypatch.setitem(kpis.METRICS, M.USE_CASES_VALIDATED, replace(spec, compute=None))
    programme = build_programme()
    use_cases = kpi(programme.phases.get(number=3), M.USE_CASES_VALIDATED, "5")
    with translation.override("en"):
        (result,) = selectors.programme_overview(programme).kpi_results
    assert result.actual is None and result.progress is None
    assert result.status == kpis.Status.NOT_MEASURED
    assert "use-case library" in result.note
    assert result.definition == str(kpis.METRICS[M.USE_CASES_VALIDATED].definition)

    kpis.register_metric(M.USE_CASES_VALIDATED, lambda today: kpis.Reading(Decimal(5), {"n": 5}))
    (result,) = selectors.programme_overview(programme).kpi_results
    assert result.kpi.pk == use_cases.pk
    assert (result.actual, result.progress, result.status) == (5, 100, kpis.Status.REACHED)


@pytest.mark.django_db
def test_manual_kpi_shows_value_and_date_of_entry() -> None:
    programme = build_programme()
    manual = kpi(programme.phases.get(number=1), M.MANUAL, "4", unit=Kpi.Unit.SCORE)
    with translation.override("en"):
        (result,) = selectors.programme_overview(programme).kpi_results
    assert result.actual is None and "Not entered" in result.note
    Kpi.objects.filter(pk=manual.pk).update(manual_value=Decimal("4.3"))
    KpiMeasurement.objects.create(kpi=manual, measured_on=date(2026, 3, 2), value=Decimal("4.3"))
    with translation.override("de"):
        (result,) = selectors.programme_overview(programme).kpi_results
    assert result.actual == Decimal("4.3") and result.status == kpis.Status.REACHED
    assert "02.03.2026" in result.note


@pytest.mark.parametrize(
    ("actual", "target", "time_percent", "done", "status"),
    [
        (None, "10", 50, False, kpis.Status.NOT_MEASURED),
        ("10", "10", 50, False, kpis.Status.REACHED),
        ("12", "10", 100, True, kpis.Status.REACHED),
        ("5", "10", 50, False, kpis.Status.ON_TRACK),  # 50 % of target at half time
        ("4", "10", 50, False, kpis.Status.ON_TRACK),  # within the 10-point margin
        ("3", "10", 50, False, kpis.Status.BEHIND),
        ("0", "10", 0, False, kpis.Status.ON_TRACK),  # not started yet
        ("9", "10", 100, True, kpis.Status.BEHIND),  # phase over, target missed
        ("0", "0", 50, False, kpis.Status.REACHED),
    ],
)
def test_status_against_target_and_time(actual, target, time_percent, done, status) -> None:
    progress = kpis.progress_percent(Decimal(actual) if actual else None, Decimal(target))
    assert kpis.status_of(progress, time_percent=time_percent, phase_done=done) == status


def _populate(size: int, programme) -> None:
    """Data of `size`: people, events, check-ins, jobs, milestones and KPIs of every metric."""
    people = [UserFactory(email=f"p{size}-{i}@firma.test") for i in range(size)]
    for kind in ("kickoff", "community_round", "user_group"):
        attend(event(kind, -5 - size), *people)
    for person in people:
        GenerationJob.objects.create(owner=person)
        Multiplier.objects.get_or_create(user=person, defaults={"confirmed_at": timezone.now()})
    for phase in programme.phases.all():
        for i in range(size):
            Milestone.objects.create(
                phase=phase, title=f"M{i}", due_on=timezone.localdate() + timedelta(i - 2)
            )
            metric = list(M)[(i + phase.number) % len(M)]
            value = Decimal(1) if metric == M.MANUAL else None
            kpi(phase, metric, unit=Kpi.Unit.COUNT, manual_value=value)


@pytest.mark.django_db
def test_overview_runs_a_constant_number_of_queries() -> None:
    programme = build_programme()
    _populate(len(M), programme)  # every metric in use
    kpis_measure()
    with CaptureQueriesContext(connection) as small:
        selectors.programme_overview(programme, trend_days=84)
    _populate(3 * len(M), programme)
    kpis_measure()
    with CaptureQueriesContext(connection) as large:
        overview = selectors.programme_overview(programme, trend_days=84)
    assert len(overview.kpi_results) == 5 * 4 * len(M)
    assert len(small.captured_queries) == len(large.captured_queries)
    # phases, milestones, KPIs, last measurement, trend, and one per computed metric
    computed = sum(1 for m in M if m != M.MANUAL and kpis.is_computed(m))
    assert len(large.captured_queries) <= 5 + computed


@pytest.mark.django_db
def test_measurement_is_stored_once_a_day_and_updated(alice, bob) -> None:
    programme = build_programme()
    phase = programme.phases.get(number=2)
    trained = kpi(phase, M.MULTIPLIERS_TRAINED)
    manual = kpi(phase, M.MANUAL, manual_value=Decimal(3))
    pending = kpi(phase, M.SURVEY_CONFIDENCE)
    Multiplier.objects.create(user=alice, confirmed_at=timezone.now())
    assert kpi_measure() == 1
    Multiplier.objects.create(user=bob, confirmed_at=timezone.now())
    assert kpi_measure() == 1  # the task delivered twice on one day: the same row
    (row,) = KpiMeasurement.objects.filter(kpi=trained)
    assert (row.measured_on, row.value) == (timezone.localdate(), 2)
    assert not KpiMeasurement.objects.filter(kpi__in=[manual, pending]).exists()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        kpi_measure()
    assert KpiMeasurement.objects.filter(kpi=trained).count() == 2


@pytest.mark.django_db
def test_milestones_overdue_and_upcoming(ada) -> None:
    today = timezone.localdate()
    programme = build_programme(today)
    phase = programme.phases.get(number=3)

    def milestone(title: str, due: int, done: int | None = None) -> Milestone:
        done_on = today + timedelta(done) if done is not None else None
        return Milestone.objects.create(
            phase=phase, title=title, due_on=today + timedelta(due), done_on=done_on
        )

    late = milestone("late", -1)
    milestone("late but done", -5, done=-2)
    due_today = milestone("today", 0)
    soon = milestone("in 30 days", 30)
    milestone("in 31 days", 31)
    assert late.is_overdue(timezone.localdate()) and not due_today.is_overdue(timezone.localdate())
    assert not late.is_overdue(today - timedelta(days=1))
    overview = selectors.programme_overview(programme, today=today)
    assert [m.title for m in overview.overdue_milestones] == ["late"]
    assert [m.pk for m in overview.upcoming_milestones] == [due_today.pk, soon.pk]
    assert [m.title for m in overview.done_milestones] == ["late but done"]
    row = overview.rows[2]
    assert (row.milestones_done, row.milestone_percent) == (1, 20)


@pytest.mark.django_db
def test_reports_and_newsletter_drafts_are_not_protocol_use(alice, ada) -> None:
    """The automatic monthly report and an admin's newsletter draft are not staff adopting
    the protocol assistant: neither the KPIs nor the report's lines count them."""
    from assistants.services.reports import assistant_facts

    _job, protocol = protocol_for(alice, title="Jour fixe")
    for kind in ("report", "newsletter"):  # registered by assistants and the newsletter
        job, other = protocol_for(ada, title=kind)
        GenerationJob.objects.filter(pk=job.pk).update(kind=kind)
        Protocol.objects.filter(pk=other.pk).update(status=Protocol.Status.APPROVED)
    Protocol.objects.filter(pk=protocol.pk).update(status=Protocol.Status.APPROVED)
    today = timezone.localdate()
    assert kpis.weekly_assistant_users(today).value == 1
    assert kpis.protocols_approved(today).value == 1
    ((_heading, lines),) = assistant_facts()
    assert lines[0] == "Erstellte Protokolle: 1, davon freigegeben: 1"
    assert lines[1] == "Personen, die den Protokollgenerator genutzt haben: 1"
