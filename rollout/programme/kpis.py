"""KPI actuals computed from the portal's own data: one function per `Kpi.Metric`.

Every metric answers for the whole installation with one aggregate query, and
`compute_actuals` calls each metric at most once however many KPIs use it, so a page
showing all KPIs runs a constant number of queries. Every computation plugs in through
`register_metric` from the hooks of the feature that owns the data (the programme's own in
`OWN_METRICS`); until then such a KPI says so instead of showing a made-up number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from assistants.kinds import PROTOCOL
from assistants.models import GenerationJob, Protocol, ProtocolVersion
from portal.models import User
from rollout.models import Event, Kpi, Multiplier, Registration

Metric = Kpi.Metric
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Reading:
    """A metric's value now; `parts` are the figures behind it (for the plain-words line)."""

    value: Decimal
    parts: dict[str, int | Decimal] = field(default_factory=dict)


Compute = Callable[[date], "Reading | None"]  # None: no data to compute from yet
# For a count: the day each of the first `limit` counted items came about, oldest first
# (the k-th day is the day the count reached k). One query.
CountDays = Callable[[int], list[date]]


@dataclass(frozen=True)
class MetricSpec:
    definition: str | Promise
    unit: str
    compute: Compute | None = None  # plugged in by the feature that owns the data
    pending: str | Promise = ""  # said instead of a number while `compute` is None
    describe: Callable[[Reading], str] | None = None
    count_days: CountDays | None = None  # plugged in with `compute` where it is a count


def quantize(value: Decimal | int | float) -> Decimal:
    return Decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> Decimal:
    return quantize(Decimal(100 * part) / whole) if whole else Decimal(0)


def kickoff_reach(today: date) -> Reading:
    """Share of active staff checked in at one kickoff or more (one query)."""
    # An uncorrelated IN (…) is hashed once by PostgreSQL; a correlated EXISTS inside
    # FILTER would run once per person (160 ms instead of a few at 5,000 people).
    attendees = Registration.objects.filter(
        event__kind=Event.Kind.KICKOFF, attended_at__isnull=False
    ).values("user_id")
    row = User.objects.filter(is_active=True).aggregate(
        staff=Count("pk"), reached=Count("pk", filter=Q(pk__in=attendees))
    )
    return Reading(_share(row["reached"], row["staff"]), row)


def multipliers_trained(today: date) -> Reading:
    n = Multiplier.objects.count()
    return Reading(Decimal(n), {"n": n})


def local_days(moments: Iterable) -> list[date]:
    return [timezone.localdate(moment) for moment in moments]


def multipliers_trained_days(limit: int) -> list[date]:
    confirmed = Multiplier.objects.order_by("confirmed_at", "pk").values_list("confirmed_at")
    return local_days(at for (at,) in confirmed[:limit])


EXCHANGE_KINDS = ("community_round", "user_group", "sprint")


def _held():
    """Past exchange-format events with at least one person checked in."""
    return (
        Event.objects.filter(kind__in=EXCHANGE_KINDS, starts_at__lte=timezone.now())
        .annotate(
            present=Count("registrations", filter=Q(registrations__attended_at__isnull=False))
        )
        .filter(present__gt=0)
    )


def _rounds_held() -> dict[str, int]:
    """Exchange sessions held, and their attendees."""
    row = _held().aggregate(rounds=Count("pk"), attendees=Sum("present"))
    return {"rounds": row["rounds"] or 0, "attendees": row["attendees"] or 0}


def rounds_held(today: date) -> Reading:
    row = _rounds_held()
    return Reading(Decimal(row["rounds"]), row)


def rounds_held_days(limit: int) -> list[date]:
    starts = _held().order_by("starts_at", "pk").values_list("starts_at", flat=True)
    return local_days(starts[:limit])


def round_attendance(today: date) -> Reading | None:
    row = _rounds_held()
    if not row["rounds"]:
        return None
    return Reading(quantize(Decimal(row["attendees"]) / row["rounds"]), row)


def weekly_assistant_users(today: date) -> Reading:
    """People who generated a meeting protocol in the last 7 days: the staff's assistant.
    Status reports (one is automatic) and newsletter drafts are the programme office's
    tools and would count its admins as adoption."""
    since = timezone.now() - timedelta(days=7)
    jobs = GenerationJob.objects.filter(created_at__gte=since, kind=PROTOCOL)
    n = jobs.aggregate(n=Count("owner", distinct=True))["n"]
    return Reading(Decimal(n), {"n": n})


def protocols_approved(today: date) -> Reading:
    """Meeting protocols a reviewer approved; one reopened for a new version still counts
    (approved status reports and newsletter drafts are not meeting protocols)."""
    frozen = ProtocolVersion.objects.filter(protocol=OuterRef("pk"))
    approved = Q(status=Protocol.Status.APPROVED) | Q(Exists(frozen))
    n = Protocol.objects.filter(approved, job__kind=PROTOCOL).count()
    return Reading(Decimal(n), {"n": n})


def _num(value: int | Decimal) -> str:
    decimals = 0 if Decimal(value) == Decimal(value).to_integral_value() else 1
    return number_format(value, decimal_pos=decimals)


def format_value(value: Decimal | None, unit: str) -> str:
    """Return a value for people: "12,5 %", "40 h", "148" (in the active language)."""
    if value is None:
        return "–"
    if unit == Kpi.Unit.PERCENT:
        return f"{_num(value)} %"
    if unit == Kpi.Unit.HOURS:
        return str(_("%(n)s h")) % {"n": _num(value)}
    return _num(value)


def _words(template: str | Promise, count: str = "") -> Callable[[Reading], str]:
    """Describe a reading in words; a plural `template` picks its form by the `count` part."""

    def describe(reading: Reading) -> str:
        parts = {k: _num(v) for k, v in reading.parts.items()}
        if not count:
            return str(template) % parts
        return template % (parts | {count: int(reading.parts[count])})

    return describe


U = Kpi.Unit
METRICS: dict[str, MetricSpec] = {
    Metric.KICKOFF_REACH: MetricSpec(
        _(
            "Share of active employees (active accounts) who were checked in at one "
            "kickoff event or more."
        ),
        U.PERCENT,
    ),
    Metric.MULTIPLIERS_TRAINED: MetricSpec(
        _("Number of people confirmed as multipliers."),
        U.COUNT,
        count_days=multipliers_trained_days,  # the day is known exactly: no need to wait
    ),
    Metric.USE_CASES_LOGGED: MetricSpec(
        _("Number of use cases the teams have logged, whatever became of them."),
        U.COUNT,
        pending=_("Not measured yet – arrives with the use-case library."),
    ),
    Metric.USE_CASES_VALIDATED: MetricSpec(
        _("Number of use cases that internal experts have validated."),
        U.COUNT,
        pending=_("Not measured yet – arrives with the use-case library."),
    ),
    Metric.TIME_SAVED: MetricSpec(
        _(
            "Hours per week saved by validated and rolled-out use cases: measured where "
            "known, else as estimated by their teams."
        ),
        U.HOURS,
        pending=_("Not measured yet – arrives with the use-case library."),
    ),
    Metric.ROUNDS_HELD: MetricSpec(
        _(
            "Number of past community rounds, user groups and co-creation sprints at which "
            "at least one person was checked in."
        ),
        U.COUNT,
        count_days=rounds_held_days,
    ),
    Metric.ROUND_ATTENDANCE: MetricSpec(
        _("Average number of people checked in per exchange session held."),
        U.COUNT,
    ),
    Metric.WEEKLY_ASSISTANT_USERS: MetricSpec(
        _("Number of different people who started an AI assistant in the last 7 days."),
        U.COUNT,
    ),
    Metric.PROTOCOLS_APPROVED: MetricSpec(
        _("Number of generated protocols that a reviewer has approved."),
        U.COUNT,
    ),
    Metric.SURVEY_CONFIDENCE: MetricSpec(
        _("Average answer to “I feel confident using AI at work” (1–5) in the pulse surveys."),
        U.SCORE,
        pending=_("Not measured yet – arrives with the pulse surveys."),
    ),
    Metric.MANUAL: MetricSpec(
        _("Entered by hand by a programme admin (a figure the portal cannot know)."), ""
    ),
}


def register_metric(
    metric: str,
    compute: Compute,
    *,
    describe: Callable[[Reading], str] | None = None,
    count_days: CountDays | None = None,
) -> None:
    """Plug in the computation of `metric` (call from AppConfig.ready()).

    `compute(today)` must answer for all KPIs of the metric with a constant number of
    queries (one aggregate) and return None while there is nothing to compute from. A count
    may bring `count_days`, counting the same items: milestones tied to it are then reached
    on the exact day, not on the day of the next measurement.
    """
    spec = METRICS[Metric(metric)]
    METRICS[metric] = replace(
        spec,
        compute=compute,
        describe=describe or spec.describe,
        count_days=count_days or spec.count_days,
    )


# What the programme computes itself (from events, multipliers and the assistants' jobs);
# its hooks register these like the use cases and surveys register theirs.
OWN_METRICS: tuple[tuple[str, Compute, Callable[[Reading], str]], ...] = (
    (
        Metric.KICKOFF_REACH,
        kickoff_reach,
        _words(_("%(reached)s of %(staff)s employees have attended a kickoff")),
    ),
    (
        Metric.MULTIPLIERS_TRAINED,
        multipliers_trained,
        _words(ngettext_lazy("%(n)s multiplier trained", "%(n)s multipliers trained", "n"), "n"),
    ),
    (
        Metric.ROUNDS_HELD,
        rounds_held,
        _words(
            ngettext_lazy(
                "%(rounds)s exchange session held", "%(rounds)s exchange sessions held", "rounds"
            ),
            "rounds",
        ),
    ),
    (
        Metric.ROUND_ATTENDANCE,
        round_attendance,
        _words(
            ngettext_lazy(
                "%(attendees)s check-ins at %(rounds)s exchange session",
                "%(attendees)s check-ins at %(rounds)s exchange sessions",
                "rounds",
            ),
            "rounds",
        ),
    ),
    (
        Metric.WEEKLY_ASSISTANT_USERS,
        weekly_assistant_users,
        _words(
            ngettext_lazy(
                "%(n)s person used an AI assistant in the last 7 days",
                "%(n)s people used an AI assistant in the last 7 days",
                "n",
            ),
            "n",
        ),
    ),
    (
        Metric.PROTOCOLS_APPROVED,
        protocols_approved,
        _words(
            ngettext_lazy(
                "%(n)s protocol approved by a reviewer",
                "%(n)s protocols approved by a reviewer",
                "n",
            ),
            "n",
        ),
    ),
)


def is_computed(metric: str) -> bool:
    return METRICS[metric].compute is not None


def compute_actuals(metrics: Iterable[str], today: date) -> dict[str, Reading | None]:
    """Compute each computable metric once (manual and pending ones are left out)."""
    return {m: METRICS[m].compute(today) for m in sorted(set(metrics)) if is_computed(m)}


def describe(metric: str, reading: Reading | None) -> str:
    spec = METRICS[metric]
    if reading is None or spec.describe is None:
        return ""
    return spec.describe(reading)


class Status:
    """Where a KPI stands against its target (values are CSS-class friendly)."""

    REACHED = "reached"
    ON_TRACK = "on-track"
    BEHIND = "behind"
    NOT_MEASURED = "not-measured"
    LABELS = {
        REACHED: _("reached"),
        ON_TRACK: _("on track"),
        BEHIND: _("behind"),
        NOT_MEASURED: _("not measured yet"),
    }


# A KPI is behind when its progress trails the share of its phase's time already passed
# by more than this many percentage points (a done phase: when its target is not reached).
BEHIND_MARGIN = 10


def progress_percent(actual: Decimal | None, target: Decimal) -> int | None:
    if actual is None:
        return None
    if target <= 0:
        return 100
    return int((100 * actual / target).to_integral_value(rounding=ROUND_HALF_UP))


def status_of(progress: int | None, *, time_percent: int, phase_done: bool) -> str:
    if progress is None:
        return Status.NOT_MEASURED
    if progress >= 100:
        return Status.REACHED
    if phase_done or progress + BEHIND_MARGIN < time_percent:
        return Status.BEHIND
    return Status.ON_TRACK


@dataclass
class KpiResult:
    """A KPI with its actual value, progress against target, status and words for people."""

    kpi: Kpi
    actual: Decimal | None
    progress: int | None
    status: str
    sentence: str  # the actual in plain words, or "" when there is none
    note: str  # why there is no number, or when it was entered by hand
    trend: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def actual_display(self) -> str:
        return format_value(self.actual, self.kpi.unit)

    @property
    def target_display(self) -> str:
        return format_value(self.kpi.target, self.kpi.unit)

    @property
    def definition(self) -> str:
        return self.kpi.definition or str(METRICS[self.kpi.metric].definition)


def actual_of(kpi: Kpi, readings: dict[str, Reading | None]) -> Decimal | None:
    """Return `kpi`'s value now: entered by hand, or read from `compute_actuals`."""
    if kpi.metric == Metric.MANUAL:
        return kpi.manual_value
    reading = readings.get(kpi.metric) if is_computed(kpi.metric) else None
    return reading.value if reading is not None else None


def evaluate(
    kpi: Kpi,
    readings: dict[str, Reading | None],
    *,
    today: date,
    last_measured: date | None = None,
    trend: list[tuple[date, Decimal]] | None = None,
    phase_status: str | None = None,
) -> KpiResult:
    """Return `kpi`'s result from the readings of `compute_actuals` (no queries).

    `phase_status` is the status the phase is shown with, when it differs from the stored one.
    """
    phase = kpi.phase
    phase_status = phase_status or phase.status
    note, sentence, actual = "", "", None
    if kpi.metric == Metric.MANUAL:
        actual = kpi.manual_value
        if actual is None:
            note = str(_("Not entered yet."))
        else:
            sentence = f"{kpi.name}: {format_value(actual, kpi.unit)}"
            note = (
                str(_("Entered by hand on %(date)s."))
                % {"date": date_format(last_measured, "SHORT_DATE_FORMAT")}
                if last_measured is not None
                else str(_("Entered by hand."))
            )
    elif not is_computed(kpi.metric):
        note = str(METRICS[kpi.metric].pending)
    else:
        reading = readings.get(kpi.metric)
        if reading is None:
            note = str(_("No data yet."))
        else:
            actual, sentence = reading.value, describe(kpi.metric, reading)
    progress = progress_percent(actual, kpi.target)
    status = status_of(
        progress,
        time_percent=phase.progress_percent(today, phase_status),
        phase_done=phase_status == phase.Status.DONE,
    )
    return KpiResult(kpi, actual, progress, status, sentence, note, trend or [])
