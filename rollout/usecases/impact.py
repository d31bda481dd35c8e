"""Impact of the use cases: hours saved per department and month, the KPIs, the counter.

Only validated and rolled-out use cases count. Their hours are the measured ones where a
team measured them, else the estimate. A use case counts in the month it was first
validated (its first transition to "validated"; rows seeded without history fall back to
the last status change). Each function runs one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from rollout.models import UseCase, UseCaseTransition
from rollout.programme.kpis import Reading, local_days, quantize
from rollout.usecases.services import COUNTED

MONTHS = 6  # months shown side by side; earlier ones count in the total only
ZERO = Decimal("0.0")


def _hours():
    return Coalesce(
        "hours_saved_measured",
        "hours_saved_estimate",
        ZERO,
        output_field=DecimalField(max_digits=6, decimal_places=1),
    )


@dataclass
class ImpactRow:
    department: str
    months: list[Decimal]
    total: Decimal = ZERO
    use_cases: int = 0


@dataclass
class Impact:
    """Hours per week saved, added per month of validation, per department; and totals."""

    months: list[date]
    rows: list[ImpactRow] = field(default_factory=list)
    total: ImpactRow | None = None


def _month_starts(today: date, count: int) -> list[date]:
    year, month = today.year, today.month
    starts = []
    for _i in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _counted():
    """Validated and rolled-out use cases, each with the moment it was first validated."""
    first_validated = (
        UseCaseTransition.objects.filter(
            use_case=OuterRef("pk"), to_status=UseCase.Status.VALIDATED
        )
        .values("use_case")
        .annotate(at=Min("at"))
        .values("at")
    )
    return UseCase.objects.filter(status__in=COUNTED).annotate(
        validated_at=Coalesce(Subquery(first_validated), "status_changed_at")
    )


def impact(*, today: date | None = None, months: int = MONTHS) -> Impact:
    """Return the impact table (one query); departments by hours saved, most first."""
    today = today or timezone.localdate()
    starts = _month_starts(today, months)
    rows = (
        _counted()
        .annotate(month=TruncMonth("validated_at"))
        .values("department__name", "month")
        .annotate(hours=Sum(_hours()), n=Count("pk"))
        .order_by()
    )
    by_department: dict[str, ImpactRow] = {}
    total = ImpactRow("", [ZERO] * months)
    for row in rows:
        name = row["department__name"] or ""
        line = by_department.setdefault(name, ImpactRow(name, [ZERO] * months))
        month = row["month"].date() if row["month"] else None
        for line_ in (line, total):
            line_.total += row["hours"]
            line_.use_cases += row["n"]
            if month in starts:
                line_.months[starts.index(month)] += row["hours"]
    ordered = sorted(
        by_department.values(), key=lambda r: (-r.total, r.department == "", r.department)
    )
    return Impact(months=starts, rows=ordered, total=total if ordered else None)


def _counts():
    return UseCase.objects.aggregate(
        logged=Count("pk"),
        n=Count("pk", filter=Q(status__in=COUNTED)),
        hours=Sum(_hours(), filter=Q(status__in=COUNTED)),
    )


def use_cases_validated(today: date) -> Reading | None:
    """KPI: validated and rolled-out use cases (None while none has been logged)."""
    row = _counts()
    if not row["logged"]:
        return None
    return Reading(Decimal(row["n"]), {"n": row["n"]})


def use_cases_validated_days(limit: int) -> list[date]:
    """The day each counted use case was first validated, oldest first (one query)."""
    counted = _counted().annotate(day=Coalesce("validated_at", "updated_at"))
    moments = counted.order_by("day", "pk").values_list("day", flat=True)
    return local_days(moments[:limit])


def use_cases_logged_total(today: date) -> Reading:
    """KPI: use cases logged, whatever became of them."""
    n = UseCase.objects.count()
    return Reading(Decimal(n), {"n": n})


def use_cases_logged_days(limit: int) -> list[date]:
    moments = UseCase.objects.order_by("created_at", "pk").values_list("created_at", flat=True)
    return local_days(moments[:limit])


def time_saved(today: date) -> Reading | None:
    """KPI: hours per week they save, measured where known, else estimated."""
    row = _counts()
    if not row["logged"]:
        return None
    hours = quantize(row["hours"] or 0)
    return Reading(hours, {"hours": hours, "n": row["n"]})


def use_cases_logged(user_ids: Sequence[int]) -> dict[int, int]:
    """Multiplier directory counter: use cases each person owns (one query)."""
    rows = (
        UseCase.objects.filter(owner_id__in=user_ids)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    return dict(rows)


def department_hours(result: Impact) -> list[tuple[str, Decimal]]:
    return [(r.department, r.total) for r in result.rows]


def usecase_facts() -> list[tuple[str, list[str]]]:
    """Return German lines for the steering-committee report (report facts provider)."""
    from django.utils import translation
    from django.utils.formats import number_format

    counts = dict(UseCase.objects.values_list("status").annotate(n=Count("pk")).order_by())
    if not counts:
        return []
    result = impact()
    with translation.override("de"):
        pipeline = ", ".join(
            f"{counts[status]} {label}"
            for status, label in UseCase.Status.choices
            if status in counts
        )
        hours = number_format(result.total.total if result.total else ZERO, decimal_pos=1)
        lines = [
            f"Use Cases: {sum(counts.values())} erfasst ({pipeline})",
            f"Validiert oder eingeführt: {sum(counts.get(s, 0) for s in COUNTED)}, "
            f"eingesparte Zeit {hours} Stunden pro Woche (gemessen, sonst geschätzt)",
        ]
        lines += [
            f"{row.department or 'Ohne Abteilung'}: "
            f"{number_format(row.total, decimal_pos=1)} Stunden pro Woche"
            for row in result.rows[:3]
        ]
    return [("Use Cases", lines)]
