"""The programme cockpit for admins and the works council: aggregates only, never names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.http import AuthenticatedHttpRequest
from portal.roles import OVERSIGHT, Role, role_required
from rollout.common import charts
from rollout.common.spreadsheet import csv_response, csv_safe
from rollout.models import Programme
from rollout.programme import selectors
from rollout.programme.kpis import KpiResult, Status
from rollout.programme.selectors import Overview, PhaseRow

TREND_DAYS = 84  # twelve weeks of daily measurements
# The figures are aggregates over everyone: a few minutes old is fine, and it keeps the page
# cheap under load. Changes to phases, milestones and KPIs clear the cache at once.
CACHE_SECONDS = 300
CSV_MEASUREMENTS = 6  # the latest measurements listed per KPI in the CSV


def _phase_charts(row: PhaseRow) -> dict:
    phase = row.phase
    done, total = row.milestones_done, len(row.milestones)
    return {
        "row": row,
        "time_chart": charts.progress_bar(
            row.time_percent,
            title=_("Phase %(n)s: time elapsed") % {"n": phase.number},
            desc=_("%(p)s %% of the planned time has passed.") % {"p": row.time_percent},
        ),
        "milestone_chart": charts.progress_bar(
            row.milestone_percent,
            title=_("Phase %(n)s: milestones done") % {"n": phase.number},
            desc=_("%(done)s of %(total)s milestones done.") % {"done": done, "total": total},
        ),
        "overdue": sum(1 for m in row.milestones if m.overdue),
    }


def _kpi_charts(result: KpiResult, time_percent: int) -> dict:
    """Return the KPI's progress bar and trend line; None where there is nothing to draw."""
    kpi, points = result.kpi, result.trend
    charts_ = {"result": result, "progress_chart": None, "trend_chart": None}
    if result.progress is not None:
        charts_["progress_chart"] = charts.progress_bar(
            result.progress,
            title=_("%(name)s: progress against target") % {"name": kpi.name},
            desc=_("%(p)s %% of the target; the mark shows the share of the phase's time passed.")
            % {"p": result.progress},
            marker=time_percent,
            low=result.status == Status.BEHIND,
        )
    if len(points) >= 2:  # one point is no trend
        (d1, a), (d2, b) = points[0], points[-1]
        charts_["trend_chart"] = charts.sparkline(
            points,
            title=_("%(name)s: trend over twelve weeks") % {"name": kpi.name},
            desc=_("From %(a)s on %(d1)s to %(b)s on %(d2)s; target %(t)s.")
            % {
                "a": number_format(a, decimal_pos=1),
                "d1": date_format(d1, "SHORT_DATE_FORMAT"),
                "b": number_format(b, decimal_pos=1),
                "d2": date_format(d2, "SHORT_DATE_FORMAT"),
                "t": result.target_display,
            },
            target=kpi.target,
        )
    return charts_


def _body_context(programme: Programme, today: date) -> dict:
    overview = selectors.programme_overview(programme, today=today, trend_days=TREND_DAYS)
    departments = selectors.participation_by_department()
    total = selectors.total_reach(departments)
    return {
        "overview": overview,
        "phases": [_phase_charts(row) for row in overview.rows],
        "kpi_phases": [
            (row, [_kpi_charts(r, row.time_percent) for r in row.kpis])
            for row in overview.rows
            if row.kpis
        ],
        "departments": departments,
        "total": total,
        "low_reach_percent": selectors.LOW_REACH_PERCENT,
        "reach_chart": charts.bar_chart(
            [(d.name, d.percent, d.low) for d in departments],
            title=_("Staff reached per department"),
            desc=_(
                "Share of active staff per department checked in at any event; %(p)s %% overall."
            )
            % {"p": total.percent},
        ),
        "upcoming_days": selectors.UPCOMING_DAYS,
    }


@role_required(*OVERSIGHT)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show where the programme stands: phases, KPIs with trend, reach, milestones.

    The body is the same for everyone allowed in; it is cached for CACHE_SECONDS (its
    "as of" time is shown, `?neu=1` recomputes it) and cleared when the programme changes.
    """
    programme = selectors.current_programme()
    context: dict = {
        "programme": programme,
        "can_manage": request.user.has_role(Role.PROGRAMME_ADMIN),
    }
    if programme is None:
        return render(request, "rollout/dashboard.html", context)
    today = timezone.localdate()
    key = selectors.dashboard_cache_key(programme.pk, get_language(), today)
    cached = None if "neu" in request.GET or not CACHE_SECONDS else cache.get(key)
    if cached is None:
        body = render_to_string("rollout/dashboard_body.html", _body_context(programme, today))
        cached = {"body": mark_safe(body), "as_of": timezone.now()}  # noqa: S308 - rendered by us
        if CACHE_SECONDS:
            cache.set(key, cached, CACHE_SECONDS)
    return render(request, "rollout/dashboard.html", context | cached)


def _measurement(day: date, value: Decimal) -> str:
    return f"{date_format(day, 'SHORT_DATE_FORMAT')}: {number_format(value, decimal_pos=1)}"


def _status_cell(result: KpiResult) -> str:
    if result.status == Status.NOT_MEASURED:
        return result.note or result.status_label  # the note says why, in words
    return result.status_label + (f" – {result.note}" if result.note else "")


def _kpi_csv_rows(overview: Overview) -> list[list[str]]:
    rows = []
    for result in overview.kpi_results:
        kpi = result.kpi
        latest = result.trend[-CSV_MEASUREMENTS:]
        rows.append(
            [
                f"{kpi.phase.number}. {kpi.phase.title}",
                kpi.name,
                result.definition,
                kpi.get_unit_display(),
                number_format(kpi.target, decimal_pos=1),
                number_format(result.actual, decimal_pos=1) if result.actual is not None else "",
                "" if result.progress is None else str(result.progress),
                _status_cell(result),
                " | ".join(_measurement(day, value) for day, value in reversed(latest)),
            ]
        )
    return rows


@role_required(*OVERSIGHT)
def kpi_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Export the KPIs for a spreadsheet: UTF-8 with BOM, `;`, formula cells neutralised."""
    programme = selectors.current_programme()
    today = timezone.localdate()
    response, writer = csv_response(f"kpis-{today.isoformat()}.csv")
    header = [_("Phase"), _("KPI"), _("Definition"), _("Unit"), _("Target"), _("Actual")]
    writer.writerow([*header, _("Progress %"), _("Status"), _("Last measurements")])
    if programme is not None:
        # a year back, so that values entered by hand months ago are listed too
        overview = selectors.programme_overview(programme, today=today, trend_days=366)
        for row in _kpi_csv_rows(overview):
            writer.writerow([csv_safe(cell) for cell in row])
    return response
