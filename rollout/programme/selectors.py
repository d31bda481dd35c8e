"""Reads of the programme: phases with milestones and KPIs, participation, what is next.

Every function here runs a fixed number of queries, whatever the number of phases,
milestones, KPIs, people or registrations (the dashboard bench checks this).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rollout.models import Event, Kpi, KpiMeasurement, Milestone, Phase, Programme
from rollout.programme import kpis as kpi_metrics

UPCOMING_DAYS = 30  # milestones due within this many days count as upcoming
LOW_REACH_PERCENT = 50  # departments below this share of staff reached are highlighted


def current_programme() -> Programme | None:
    return Programme.objects.order_by("pk").first()


def programme_phases(programme: Programme) -> QuerySet[Phase]:
    return programme.phases.select_related("owner").order_by("number")


def current_phase(phases: list[Phase]) -> Phase | None:
    """Return the active phase with the lowest number, else the next planned one."""
    active = [p for p in phases if p.status == Phase.Status.ACTIVE]
    if active:
        return active[0]
    planned = [p for p in phases if p.status == Phase.Status.PLANNED]
    return planned[0] if planned else None


@dataclass
class PhaseRow:
    phase: Phase
    time_percent: int
    overdue: bool
    milestones: list[Milestone] = field(default_factory=list)
    kpis: list[kpi_metrics.KpiResult] = field(default_factory=list)

    @property
    def milestones_done(self) -> int:
        return sum(1 for m in self.milestones if m.done_on is not None)

    @property
    def milestone_percent(self) -> int:
        total = len(self.milestones)
        return round(100 * self.milestones_done / total) if total else 0


@dataclass
class Overview:
    """The programme as the roadmap and the dashboard show it, computed for `today`."""

    programme: Programme
    today: date
    rows: list[PhaseRow]

    @property
    def phases(self) -> list[Phase]:
        return [row.phase for row in self.rows]

    @property
    def current(self) -> Phase | None:
        return current_phase(self.phases)

    @property
    def milestones(self) -> list[Milestone]:
        every = [m for row in self.rows for m in row.milestones]
        return sorted(every, key=lambda m: (m.due_on, m.pk))

    @property
    def overdue_milestones(self) -> list[Milestone]:
        return [m for m in self.milestones if m.is_overdue(self.today)]

    @property
    def upcoming_milestones(self) -> list[Milestone]:
        until = self.today + timedelta(days=UPCOMING_DAYS)
        return [m for m in self.milestones if m.done_on is None and self.today <= m.due_on <= until]

    @property
    def open_milestones(self) -> list[Milestone]:
        return [m for m in self.milestones if m.done_on is None]

    @property
    def done_milestones(self) -> list[Milestone]:
        done = [m for m in self.milestones if m.done_on is not None]
        return sorted(done, key=lambda m: (m.done_on, m.pk), reverse=True)

    @property
    def kpi_results(self) -> list[kpi_metrics.KpiResult]:
        return [result for row in self.rows for result in row.kpis]

    @property
    def kpis_behind(self) -> list[kpi_metrics.KpiResult]:
        return [r for r in self.kpi_results if r.status == kpi_metrics.Status.BEHIND]


def programme_overview(
    programme: Programme, *, today: date | None = None, trend_days: int = 0
) -> Overview:
    """Load phases, milestones and KPIs with their actuals (and trend for `trend_days`).

    Queries: phases, milestones, KPIs, last measurement dates, the trend when asked
    for, and one per metric in use; never one per row.
    """
    today = today or timezone.localdate()
    phases = list(programme_phases(programme))
    by_id = {p.pk: PhaseRow(p, p.progress_percent(today), p.is_overdue(today)) for p in phases}
    milestones = Milestone.objects.filter(phase__programme=programme).select_related("done_by")
    for milestone in milestones.order_by("due_on", "pk"):
        row = by_id[milestone.phase_id]
        milestone.phase = row.phase  # saves a query per row in templates
        milestone.overdue = milestone.is_overdue(today)
        milestone.days_overdue = (today - milestone.due_on).days if milestone.overdue else 0
        row.milestones.append(milestone)
    kpis = list(Kpi.objects.filter(phase__programme=programme).order_by("order", "pk"))
    if kpis:
        measured = KpiMeasurement.objects.filter(kpi__phase__programme=programme)
        last = dict(measured.order_by().values_list("kpi_id").annotate(last=Max("measured_on")))
        trends: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
        if trend_days:
            recent = measured.filter(measured_on__gt=today - timedelta(days=trend_days))
            points = recent.order_by("kpi_id", "measured_on")
            for kpi_id, day, value in points.values_list("kpi_id", "measured_on", "value"):
                trends[kpi_id].append((day, value))
        readings = kpi_metrics.compute_actuals((k.metric for k in kpis), today)
        for kpi in kpis:
            row = by_id[kpi.phase_id]
            kpi.phase = row.phase
            row.kpis.append(
                kpi_metrics.evaluate(
                    kpi, readings, today=today, last_measured=last.get(kpi.pk), trend=trends[kpi.pk]
                )
            )
    return Overview(programme, today, [by_id[p.pk] for p in phases])


@dataclass(frozen=True)
class DepartmentReach:
    name: str
    staff: int
    reached: int

    @property
    def not_reached(self) -> int:
        return self.staff - self.reached

    @property
    def percent(self) -> int:
        return round(100 * self.reached / self.staff) if self.staff else 0

    @property
    def low(self) -> bool:
        return self.percent < LOW_REACH_PERCENT


def participation_by_department() -> list[DepartmentReach]:
    """Return per department: active staff, and how many were checked in at any event.

    Counts only: nobody's name leaves this function (the works council reads it too).
    """
    from portal.models import User
    from rollout.models import Registration

    attendees = Registration.objects.filter(attended_at__isnull=False).values("user_id")
    rows = (
        User.objects.filter(is_active=True)
        .values("department_id", "department__name")
        .annotate(staff=Count("pk"), reached=Count("pk", filter=Q(pk__in=attendees)))
        .order_by(F("department__name").asc(nulls_last=True))
    )
    return [
        DepartmentReach(r["department__name"] or str(_("No department")), r["staff"], r["reached"])
        for r in rows
    ]


def total_reach(rows: list[DepartmentReach]) -> DepartmentReach:
    return DepartmentReach(
        str(_("All departments")), sum(r.staff for r in rows), sum(r.reached for r in rows)
    )


def dashboard_cache_key(programme_id: int, language: str, today: date) -> str:
    return f"rollout:dashboard:{programme_id}:{language}:{today.isoformat()}"


def next_events(limit: int = 3) -> list[Event]:
    return list(
        Event.objects.filter(starts_at__gte=timezone.now())
        .select_related("phase")
        .order_by("starts_at")[:limit]
    )
