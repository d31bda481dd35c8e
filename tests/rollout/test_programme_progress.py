"""Milestones reached by their data, phase status that follows it, and the roadmap timeline."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import AuditEntry
from rollout.models import Kpi, KpiMeasurement, Milestone, Multiplier, Phase, UseCase
from rollout.programme import progress, selectors
from rollout.programme import services as service
from rollout.programme.forms import MilestoneForm
from tests.rollout.access_programme import build_programme

D = Decimal
TODAY = date(2026, 3, 10)
S = Phase.Status


# ---- the rules, without the database -------------------------------------------------------


def test_count_milestone_is_reached_on_the_day_of_the_nth_item() -> None:
    days = [TODAY - timedelta(days=n) for n in (30, 20, 12, 5)]
    reached = progress.milestone_reached_on(
        D(3), actual=D(4), count_days=days, first_measured=TODAY - timedelta(days=7), today=TODAY
    )
    assert reached == TODAY - timedelta(days=12)  # the third item, before it was measured
    assert progress.threshold_count(D("2.5")) == 3 and progress.threshold_count(D(10)) == 10


def test_milestone_without_exact_days_takes_the_first_measurement_then_today() -> None:
    measured = TODAY - timedelta(days=3)
    reach = progress.milestone_reached_on
    kwargs = {"count_days": None, "today": TODAY}
    assert reach(D(50), actual=D(62), first_measured=measured, **kwargs) == measured
    assert reach(D(50), actual=D(62), first_measured=None, **kwargs) == TODAY  # not measured yet
    # Measured once at the threshold, it stays reached after a dip (weekly users fell back).
    assert reach(D(50), actual=D(41), first_measured=measured, **kwargs) == measured
    assert reach(D(50), actual=D(49), first_measured=None, **kwargs) is None
    assert reach(D(50), actual=None, first_measured=None, **kwargs) is None


def test_count_days_are_only_trusted_while_the_count_is_met() -> None:
    days = [TODAY - timedelta(days=9)]
    kwargs = {"first_measured": None, "today": TODAY}
    assert progress.milestone_reached_on(D(2), actual=D(1), count_days=days, **kwargs) is None
    # met now but fewer dated items (rows seeded without dates): it was met by today
    assert progress.milestone_reached_on(D(2), actual=D(2), count_days=days, **kwargs) == TODAY


@pytest.mark.parametrize(
    ("stored", "reached", "shown"),
    [
        (S.PLANNED, 0, S.PLANNED),
        (S.PLANNED, 1, S.ACTIVE),  # a milestone reached: the phase has begun
        (S.ACTIVE, 0, S.ACTIVE),
        (S.DONE, 4, S.DONE),
        (S.DONE, 0, S.DONE),  # data never completes or reopens a phase
    ],
)
def test_phase_status_follows_its_milestones(stored, reached, shown) -> None:
    assert progress.phase_status(stored, milestones_reached=reached) == shown


# ---- derived in the overview -----------------------------------------------------------------


def _kpi(phase: Phase, metric: str, target: str, name: str = "", **fields) -> Kpi:
    return Kpi.objects.create(
        phase=phase, metric=metric, name=name or metric, definition="", unit="count",
        target=D(target), **fields,
    )  # fmt: skip


def _use_cases(owner, days_ago: list[int]) -> None:
    now = timezone.now()
    for n, days in enumerate(days_ago):
        use_case = UseCase.objects.create(title=f"UC {n}", problem="p", solution="s", owner=owner)
        UseCase.objects.filter(pk=use_case.pk).update(created_at=now - timedelta(days=days))


@pytest.mark.django_db
def test_use_case_milestone_is_reached_on_the_day_the_tenth_was_logged(bob) -> None:
    programme = build_programme()
    phase3 = programme.phases.get(number=3)
    logged = _kpi(phase3, Kpi.Metric.USE_CASES_LOGGED, "30", "Eingereichte Use Cases")
    today = timezone.localdate()
    first_ten = Milestone.objects.create(
        phase=phase3, title="Erste 10 Use Cases eingereicht", due_on=today - timedelta(days=5),
        kpi=logged, threshold=D(10),
    )  # fmt: skip
    all_of_them = Milestone.objects.create(
        phase=phase3, title="30 Use Cases", due_on=today - timedelta(days=1), kpi=logged
    )
    _use_cases(bob, [40, 38, 35, 30, 29, 28, 20, 15, 12, 9, 3, 1])  # the 10th: 9 days ago
    overview = selectors.programme_overview(programme)
    by_title = {m.title: m for m in overview.milestones}
    ten = by_title[first_ten.title]
    assert ten.reached_on == today - timedelta(days=9) and not ten.overdue and ten.automatic
    assert (ten.actual, ten.threshold_display) == (D(12), "10")
    rest = by_title[all_of_them.title]
    assert rest.reached_on is None and rest.overdue  # 12 of 30: honestly overdue
    assert [m.title for m in overview.done_milestones] == [first_ten.title]
    assert [m.title for m in overview.overdue_milestones] == [all_of_them.title]


@pytest.mark.django_db
def test_measured_kpi_reaches_its_milestone_on_the_first_measurement_at_threshold(ada) -> None:
    programme = build_programme()
    phase = programme.phases.get(number=1)
    manual = _kpi(phase, Kpi.Metric.MANUAL, "4", manual_value=D("4.2"))
    today = timezone.localdate()
    for days, value in ((30, "3.1"), (20, "4.0"), (10, "4.2")):
        KpiMeasurement.objects.create(
            kpi=manual, measured_on=today - timedelta(days=days), value=D(value)
        )
    milestone = Milestone.objects.create(
        phase=phase, title="Zufrieden", due_on=today - timedelta(days=25), kpi=manual
    )
    (derived,) = selectors.programme_overview(programme).rows[0].milestones
    assert derived.pk == milestone.pk and derived.reached_on == today - timedelta(days=20)


@pytest.mark.django_db
def test_planned_phase_with_a_milestone_met_by_data_is_shown_in_progress(alice, bob) -> None:
    programme = build_programme()
    phase5 = programme.phases.get(number=5)
    users = _kpi(phase5, Kpi.Metric.MULTIPLIERS_TRAINED, "50")
    Milestone.objects.create(
        phase=phase5, title="Pilot läuft", due_on=phase5.planned_start, kpi=users, threshold=2
    )
    Multiplier.objects.create(user=alice, confirmed_at=timezone.now())
    row = selectors.programme_overview(programme).rows[4]
    assert row.status == S.PLANNED  # one is a trial, not yet the pilot's level
    Multiplier.objects.create(user=bob, confirmed_at=timezone.now())
    overview = selectors.programme_overview(programme)
    row = overview.rows[4]
    assert (row.status, row.phase.status, row.started_by_data) == (S.ACTIVE, S.PLANNED, True)
    assert row.status_label == "läuft" and row.milestones[0].reached_on == timezone.localdate()


@pytest.mark.django_db
def test_tied_milestones_add_one_query_per_count_metric_not_per_row(bob) -> None:
    programme = build_programme()
    phase3 = programme.phases.get(number=3)
    logged = _kpi(phase3, Kpi.Metric.USE_CASES_LOGGED, "30")
    _use_cases(bob, [9, 8, 7, 6, 5])
    today = timezone.localdate()

    def overview_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.programme_overview(programme)
        return len(queries.captured_queries)

    untied = overview_queries()
    Milestone.objects.create(phase=phase3, title="1", due_on=today, kpi=logged, threshold=D(1))
    one = overview_queries()
    for n in range(2, 6):
        Milestone.objects.create(phase=phase3, title=str(n), due_on=today, kpi=logged, threshold=n)
    assert one == untied + 1 and overview_queries() == one


# ---- the rule in the services and the admin pages ------------------------------------------


@pytest.mark.django_db
def test_milestone_with_a_data_source_is_not_ticked_by_hand(client, ada) -> None:
    programme = build_programme()
    phase3 = programme.phases.get(number=3)
    logged = _kpi(phase3, Kpi.Metric.USE_CASES_LOGGED, "30")
    client.force_login(ada)
    url = f"/programm/phasen/{phase3.pk}/meilensteine/neu/"
    due = timezone.localdate().isoformat()
    data = {"title": "10 Use Cases", "due_on": due, "kpi": logged.pk, "threshold": "10"}
    assert client.post(url, data).status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.kpi, milestone.threshold) == (logged, D(10))
    page = client.get("/programm/").content.decode()
    assert f"/programm/meilensteine/{milestone.pk}/erledigt/" not in page
    assert "über seine Kennzahl erreicht" in page
    client.post(f"/programm/meilensteine/{milestone.pk}/erledigt/")
    milestone.refresh_from_db()
    assert milestone.done_on is None
    assert not AuditEntry.objects.filter(action="milestone.done").exists()


def test_milestone_form_needs_a_kpi_for_a_threshold_and_offers_this_programmes_only(db) -> None:
    programme, other = build_programme(), build_programme(name="Anderes Programm")
    phase = programme.phases.get(number=3)
    mine = _kpi(phase, Kpi.Metric.USE_CASES_LOGGED, "30")
    theirs = _kpi(other.phases.get(number=3), Kpi.Metric.USE_CASES_LOGGED, "30")
    due = timezone.localdate().isoformat()
    form = MilestoneForm({"title": "X", "due_on": due, "threshold": "10"}, phase=phase)
    assert not form.is_valid() and "threshold" in form.errors
    form = MilestoneForm({"title": "X", "due_on": due, "kpi": theirs.pk}, phase=phase)
    assert not form.is_valid() and "kpi" in form.errors
    form = MilestoneForm(
        {"title": "X", "due_on": due, "kpi": mine.pk, "threshold": "0"}, phase=phase
    )
    assert not form.is_valid() and "threshold" in form.errors
    form = MilestoneForm(
        {"title": "X", "due_on": due, "kpi": mine.pk, "threshold": "12,5"}, phase=phase
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["threshold"] == D("12.5")


@pytest.mark.django_db
def test_phase_is_completed_only_with_every_milestone_reached(ada) -> None:
    programme = build_programme()
    phase = programme.phases.get(number=3)
    today = timezone.localdate()
    open_ = Milestone.objects.create(phase=phase, title="Pilot läuft", due_on=today)
    fields = {
        "title": phase.title, "goal": phase.goal, "owner": None, "status": S.DONE,
        "planned_start": phase.planned_start, "planned_end": phase.planned_end,
    }  # fmt: skip
    with pytest.raises(service.ProgrammeError, match="Pilot läuft"):
        service.phase_update(phase=phase, by=ada, **fields)
    service.milestone_mark_done(milestone=open_, by=ada)
    service.phase_update(phase=phase, by=ada, **fields)
    phase.refresh_from_db()
    assert phase.status == S.DONE
    open_.refresh_from_db()
    with pytest.raises(service.ProgrammeError):  # a completed phase keeps its milestones
        service.milestone_reopen(milestone=open_, by=ada)


@pytest.mark.django_db
def test_ticking_a_milestone_of_a_planned_phase_starts_the_phase(ada) -> None:
    programme = build_programme()
    phase5 = programme.phases.get(number=5)
    milestone = Milestone.objects.create(
        phase=phase5, title="Betriebsvereinbarung unterzeichnet", due_on=phase5.planned_start
    )
    service.milestone_mark_done(milestone=milestone, by=ada)
    phase5.refresh_from_db()
    assert (phase5.status, phase5.actual_start) == (S.ACTIVE, timezone.localdate())
    assert AuditEntry.objects.filter(action="phase.activated", target_id=str(phase5.pk)).exists()


@pytest.mark.django_db
def test_daily_measurement_records_a_phase_its_data_started(alice) -> None:
    programme = build_programme()
    phase5 = programme.phases.get(number=5)
    trained = _kpi(phase5, Kpi.Metric.MULTIPLIERS_TRAINED, "5")
    Milestone.objects.create(phase=phase5, title="Erste", due_on=phase5.planned_start, kpi=trained)
    Multiplier.objects.create(user=alice, confirmed_at=timezone.now())
    service.kpis_measure()
    phase5.refresh_from_db()
    assert phase5.status == S.PLANNED  # 1 of 5: nothing reached yet
    Milestone.objects.filter(kpi=trained).update(threshold=1)
    service.kpis_measure()
    service.kpis_measure()  # delivered twice: started once
    phase5.refresh_from_db()
    assert (phase5.status, phase5.actual_start) == (S.ACTIVE, timezone.localdate())
    entry = AuditEntry.objects.get(action="phase.activated")
    assert entry.actor is None and entry.details["by_data"] is True


# ---- the roadmap as a timeline -------------------------------------------------------------


@pytest.mark.django_db
def test_roadmap_is_an_ordered_timeline_with_today_marked(client, cast) -> None:
    programme = build_programme()
    today = timezone.localdate()
    phase3 = programme.phases.get(number=3)
    Milestone.objects.create(
        phase=phase3, title="Vorlage veröffentlicht", due_on=today - timedelta(days=9),
        done_on=today - timedelta(days=10),
    )  # fmt: skip
    Milestone.objects.create(phase=phase3, title="Pilot startet", due_on=today + timedelta(days=9))
    Milestone.objects.create(phase=phase3, title="Schon spät", due_on=today - timedelta(days=2))
    client.force_login(cast["alice"])
    page = client.get("/fahrplan/").content.decode()
    timeline = page[page.index('<ol class="timeline">') : page.index('id="next-h"')]
    assert timeline.count('class="tl-phase') == 5
    # The status is written out, not only coloured; the current phase is the step.
    for label in ("abgeschlossen", "läuft", "geplant"):
        assert f'<span class="badge tl-badge">{label}</span>' in timeline
    assert re.search(r'id="phase-3"[^>]*aria-current="step"', timeline)
    # Phase 3's milestones in the order of their day, today between past and coming ones.
    phase = timeline[timeline.index('id="phase-3"') : timeline.index('id="phase-4"')]
    order = [
        phase.index(t) for t in ("Vorlage veröffentlicht", "Schon spät", "Heute", "Pilot startet")
    ]
    assert order == sorted(order)
    assert f'<time datetime="{today.isoformat()}">{today.strftime("%d.%m.%Y")}</time>' in phase
    assert "überfällig" in phase and "erreicht am" in phase
    # Done phases have no marker; both running ones do.
    assert timeline.count('aria-current="date"') == 2
    assert 'style="' not in page
