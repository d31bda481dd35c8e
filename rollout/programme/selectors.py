"""Reads of the programme: phases with milestones and KPIs, participation, what is next.

Every function here runs a fixed number of queries, whatever the number of phases,
milestones, KPIs, people or registrations (the dashboard bench checks this).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rollout.models import Event, Kpi, KpiMeasurement, Milestone, Phase, Programme
from rollout.programme import kpis as kpi_metrics
from rollout.programme import progress

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
    """A phase as shown: `status` is the one its data implies (see `progress`)."""

    phase: Phase
    status: str
    time_percent: int
    overdue: bool
    milestones: list[Milestone] = field(default_factory=list)
    kpis: list[kpi_metrics.KpiResult] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(Phase.Status(self.status).label)

    @property
    def started_by_data(self) -> bool:
        """Planned in the records, yet begun according to its milestones."""
        return self.status != self.phase.status

    @property
    def milestones_done(self) -> int:
        return sum(1 for m in self.milestones if m.reached_on is not None)

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
        """The first phase in progress (as shown), else the next planned one."""
        for status in (Phase.Status.ACTIVE, Phase.Status.PLANNED):
            for row in self.rows:
                if row.status == status:
                    return row.phase
        return None

    @property
    def milestones(self) -> list[Milestone]:
        every = [m for row in self.rows for m in row.milestones]
        return sorted(every, key=lambda m: (m.due_on, m.pk))

    @property
    def overdue_milestones(self) -> list[Milestone]:
        return [m for m in self.milestones if m.overdue]

    @property
    def upcoming_milestones(self) -> list[Milestone]:
        until = self.today + timedelta(days=UPCOMING_DAYS)
        return [m for m in self.open_milestones if self.today <= m.due_on <= until]

    @property
    def open_milestones(self) -> list[Milestone]:
        return [m for m in self.milestones if m.reached_on is None]

    @property
    def done_milestones(self) -> list[Milestone]:
        done = [m for m in self.milestones if m.reached_on is not None]
        return sorted(done, key=lambda m: (m.reached_on, m.pk), reverse=True)

    @property
    def kpi_results(self) -> list[kpi_metrics.KpiResult]:
        return [result for row in self.rows for result in row.kpis]

    @property
    def kpis_behind(self) -> list[kpi_metrics.KpiResult]:
        return [r for r in self.kpi_results if r.status == kpi_metrics.Status.BEHIND]


def _milestones(programme: Programme) -> list[Milestone]:
    """The programme's milestones, each tied one with its first measurement at threshold."""
    first_measured = (
        KpiMeasurement.objects.filter(
            kpi=OuterRef("kpi"),
            value__gte=Coalesce(OuterRef("threshold"), OuterRef("kpi__target")),
        )
        .order_by("measured_on")
        .values("measured_on")[:1]
    )
    return list(
        Milestone.objects.filter(phase__programme=programme)
        .select_related("done_by")
        .annotate(first_measured=Subquery(first_measured))
        .order_by("due_on", "pk")
    )


def _count_days(tied: list[tuple[Milestone, Kpi, Decimal]]) -> dict[str, list[date]]:
    """Ask each count metric once for the days it reached the thresholds now met."""
    need: dict[str, int] = {}
    for milestone, kpi, threshold in tied:
        met = milestone.actual is not None and milestone.actual >= threshold
        if met and kpi_metrics.METRICS[kpi.metric].count_days is not None:
            need[kpi.metric] = max(need.get(kpi.metric, 0), progress.threshold_count(threshold))
    return {metric: kpi_metrics.METRICS[metric].count_days(n) for metric, n in need.items()}


def _derive_milestones(
    milestones: list[Milestone], kpis: dict[int, Kpi], actuals: dict[int, Decimal | None], today
) -> None:
    """Set `reached_on`, `overdue` and, on those tied to a KPI, `tied_kpi`, `actual` and
    their display values (`automatic` says which are tied)."""
    tied = []
    for milestone in milestones:
        kpi = kpis.get(milestone.kpi_id)
        milestone.automatic = kpi is not None
        milestone.tied_kpi = kpi
        milestone.reached_on = milestone.done_on
        if kpi is not None:
            threshold = milestone.threshold or kpi.target
            milestone.actual = actuals.get(kpi.pk)
            milestone.threshold_display = kpi_metrics.format_value(threshold, kpi.unit)
            milestone.actual_display = kpi_metrics.format_value(milestone.actual, kpi.unit)
            tied.append((milestone, kpi, threshold))
    days = _count_days(tied)
    for milestone, kpi, threshold in tied:
        milestone.reached_on = progress.milestone_reached_on(
            threshold,
            actual=milestone.actual,
            count_days=days.get(kpi.metric),
            first_measured=milestone.first_measured,
            today=today,
        )
    for milestone in milestones:
        milestone.overdue = milestone.reached_on is None and milestone.due_on < today
        milestone.days_overdue = (today - milestone.due_on).days if milestone.overdue else 0


def programme_overview(
    programme: Programme, *, today: date | None = None, trend_days: int = 0
) -> Overview:
    """Load phases, milestones and KPIs with their actuals (and trend for `trend_days`).

    Milestones tied to a KPI and the phases' shown status are derived from the data
    (`progress`). Queries: phases, milestones, KPIs, last measurement dates, the trend when
    asked for, one per metric in use, and one per count metric whose tied milestone is
    met; never one per row.
    """
    today = today or timezone.localdate()
    phases = list(programme_phases(programme))
    milestones = _milestones(programme)
    kpis = list(Kpi.objects.filter(phase__programme=programme).order_by("order", "pk"))
    last: dict[int, date] = {}
    trends: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    readings: dict = {}
    if kpis:
        measured = KpiMeasurement.objects.filter(kpi__phase__programme=programme)
        last = dict(measured.order_by().values_list("kpi_id").annotate(last=Max("measured_on")))
        if trend_days:
            recent = measured.filter(measured_on__gt=today - timedelta(days=trend_days))
            points = recent.order_by("kpi_id", "measured_on")
            for kpi_id, day, value in points.values_list("kpi_id", "measured_on", "value"):
                trends[kpi_id].append((day, value))
        readings = kpi_metrics.compute_actuals((k.metric for k in kpis), today)
    actuals = {k.pk: kpi_metrics.actual_of(k, readings) for k in kpis}
    _derive_milestones(milestones, {k.pk: k for k in kpis}, actuals, today)
    rows: dict[int, PhaseRow] = {}
    for phase in phases:
        status = progress.phase_status(
            phase.status,
            milestones_reached=sum(
                1 for m in milestones if m.phase_id == phase.pk and m.reached_on is not None
            ),
        )
        rows[phase.pk] = PhaseRow(
            phase, status, phase.progress_percent(today, status), phase.is_overdue(today)
        )
    for milestone in milestones:
        row = rows[milestone.phase_id]
        milestone.phase = row.phase  # saves a query per row in templates
        row.milestones.append(milestone)
    for kpi in kpis:
        row = rows[kpi.phase_id]
        kpi.phase = row.phase
        row.kpis.append(
            kpi_metrics.evaluate(
                kpi,
                readings,
                today=today,
                last_measured=last.get(kpi.pk),
                trend=trends[kpi.pk],
                phase_status=row.status,
            )
        )
    return Overview(programme, today, [rows[p.pk] for p in phases])


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
