"""The demo tells one story on the day it is loaded: milestones, phases, events, surveys,
office hours and use cases agree with each other and with the data behind the KPIs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from rollout.models import Event, Multiplier, OfficeHour, Phase, Survey, UseCase
from rollout.programme import selectors

pytestmark = pytest.mark.django_db
S = Phase.Status
RANK = {S.DONE: 0, S.ACTIVE: 1, S.PLANNED: 2}


def test_demo_is_coherent_on_the_day_it_is_loaded() -> None:
    """Load the whole demo once (it takes seconds) and check each rule below on it."""
    call_command("seed_demo")
    overview = selectors.programme_overview(selectors.current_programme())
    for check in (
        _no_milestone_is_overdue_while_its_kpi_is_met,
        _the_first_ten_use_cases_are_reached_on_the_day_of_the_tenth,
        _phases_run_in_order_and_agree_with_their_milestones,
        _tools_of_a_planned_phase_are_not_in_use,
        _events_surveys_and_office_hours_fall_in_their_phases,
    ):
        check(overview)


def _no_milestone_is_overdue_while_its_kpi_is_met(overview: selectors.Overview) -> None:
    tied = [m for m in overview.milestones if m.automatic]
    assert (
        len(tied) >= 5 and any(m.reached_on for m in tied) and any(not m.reached_on for m in tied)
    )
    for m in overview.milestones:
        assert not (m.overdue and m.reached_on), m
        threshold = m.threshold or (m.tied_kpi.target if m.automatic else None)
        if m.automatic and m.actual is not None and m.actual >= threshold:
            assert m.reached_on is not None and not m.overdue, m
        assert m.reached_on is None or m.reached_on <= overview.today, m
        assert not (m.automatic and m.done_on), f"{m} is ticked by hand and has a data source"


def _the_first_ten_use_cases_are_reached_on_the_day_of_the_tenth(
    overview: selectors.Overview,
) -> None:
    tenth = UseCase.objects.order_by("created_at", "pk")[9]
    (first_ten,) = [m for m in overview.milestones if m.title == "Erste 10 Use Cases eingereicht"]
    assert UseCase.objects.count() > 10
    assert first_ten.reached_on == timezone.localdate(tenth.created_at)
    assert first_ten.reached_on <= first_ten.due_on  # reached in time, not overdue


def _phases_run_in_order_and_agree_with_their_milestones(overview: selectors.Overview) -> None:
    today = overview.today
    ranks = [RANK[row.status] for row in overview.rows]
    assert ranks == sorted(ranks), "done phases come before running ones, running before planned"
    assert {row.status for row in overview.rows} == {S.DONE, S.ACTIVE, S.PLANNED}
    for row in overview.rows:
        phase, reached = row.phase, [m for m in row.milestones if m.reached_on]
        assert row.status == phase.status, f"{phase}: its data contradicts its status"
        assert row.milestones, phase
        if row.status == S.DONE:
            assert len(reached) == len(row.milestones), phase
            assert phase.actual_start <= phase.actual_end <= today
        elif row.status == S.ACTIVE:
            assert phase.actual_start <= today and phase.actual_end is None
        else:
            assert not reached and phase.planned_start > today and phase.actual_start is None
        for m in reached:  # reached while the phase ran (or just before it formally began)
            assert (phase.actual_start or phase.planned_start) - timedelta(days=7) <= m.reached_on


def _tools_of_a_planned_phase_are_not_in_use(overview: selectors.Overview) -> None:
    planned = {row.phase.kind for row in overview.rows if row.status == S.PLANNED}
    assert Phase.Kind.ASSISTANTS in planned
    in_use = [UseCase.Status.PILOT, UseCase.Status.VALIDATED, UseCase.Status.ROLLED_OUT]
    live = UseCase.objects.exclude(assistant="").filter(status__in=in_use)
    assert not live.exists(), "the portal's assistants are piloted before their phase began"


def _events_surveys_and_office_hours_fall_in_their_phases(overview: selectors.Overview) -> None:
    now, rows = timezone.now(), {row.phase.pk: row for row in overview.rows}
    for event in Event.objects.exclude(phase=None):
        row = rows[event.phase_id]
        day = timezone.localdate(event.starts_at)
        assert day >= (row.phase.actual_start or row.phase.planned_start), event
        if event.starts_at < now:
            assert row.status != S.PLANNED, f"{event} was held in a planned phase"
        else:
            assert row.status != S.DONE, f"{event} is still to come in a completed phase"
    for survey in Survey.objects.exclude(phase=None):
        phase = rows[survey.phase_id].phase
        opens = timezone.localdate(survey.opens_at)
        assert phase.actual_start and phase.actual_start <= opens, survey
        assert phase.actual_end is None or opens <= phase.actual_end, survey
    kickoff = Event.objects.get(kind=Event.Kind.KICKOFF)
    assert not UseCase.objects.filter(created_at__lt=kickoff.starts_at).exists()
    assert not Multiplier.objects.filter(confirmed_at__lt=kickoff.ends_at).exists()
    first_hour = OfficeHour.objects.order_by("first_date").first()
    assert first_hour.first_date > timezone.localdate(kickoff.starts_at)
    assistants = next(r.phase for r in overview.rows if r.phase.kind == Phase.Kind.ASSISTANTS)
    trial = OfficeHour.objects.get(topic="Protokollgenerator ausprobieren")
    assert trial.first_date >= assistants.planned_start  # tried out once the phase begins
