"""Survey figures over time and per phase, and the KPI "confidence using AI".

Only closed surveys with at least k respondents count anywhere here, and within them only
questions with at least k answers: a wave or a phase below k is a gap, never a figure (nor
part of a sum that, less the figures shown, would give it away).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rollout.common.charts import sparkline
from rollout.models import Phase, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from rollout.programme.kpis import Reading, quantize
from rollout.surveys.groups import min_group_size
from rollout.surveys.nps import Nps, nps_aggregates, nps_from_row

Kind = SurveyQuestion.Kind
NUMERIC = (Kind.LIKERT, Kind.SCALE, Kind.NPS)
CONFIDENCE_KEY = "confidence"


def _respondents() -> Subquery:
    counted = (
        SurveyResponse.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counted)


def closed_surveys():
    """Return the closed surveys, annotated with their number of `respondents`."""
    return (
        Survey.objects.filter(closes_at__lte=timezone.now())
        .annotate(respondents=_respondents())
        .select_related("phase")
    )


def _eligible(k: int):
    return closed_surveys().filter(respondents__gte=k)


@dataclass
class TrendLine:
    key: str
    text: str
    kind: str
    # (wave, figure, answers): the average, for recommendation questions the NPS; None
    # where the wave or the question is below k
    points: list[tuple[Survey, Decimal | Nps | None, int]] = field(default_factory=list)
    chart: SafeString | str = ""


def _trend_chart(line: TrendLine) -> SafeString | str:
    shown = [(w.closes_at.date(), v) for w, v, _n in line.points if v is not None]
    if not shown:
        return ""
    if line.kind == Kind.NPS:
        return sparkline(
            [(d, v.score) for d, v in shown],
            title=line.text,
            desc=_("NPS per wave, from −100 to +100 (dashed line: 0): %(values)s")
            % {"values": "; ".join(v.signed for _d, v in shown)},
            target=0,
            low=-100,
            high=100,
        )
    top = 5 if line.kind == Kind.LIKERT else 10
    return sparkline(
        shown,
        title=line.text,
        desc=_("Average per wave (dashed line: top of the scale, %(top)s): %(values)s")
        % {"top": top, "values": "; ".join(number_format(v, decimal_pos=1) for _d, v in shown)},
        target=top,
    )


def series_trend(series: str, *, k: int | None = None) -> tuple[list[Survey], list[TrendLine]]:
    """Return the closed waves of `series` (oldest first) and one line per numeric key."""
    k = k or min_group_size()
    waves = list(closed_surveys().filter(series=series).order_by("opens_at", "pk"))
    if not series or not waves:
        return waves, []
    rows = (
        SurveyAnswer.objects.filter(question__survey__in=waves, question__kind__in=NUMERIC)
        .exclude(question__key="")
        .values("question__survey_id", "question__key", "question__kind")
        .annotate(avg=Avg("number"), n=Count("id"), **nps_aggregates())
        .order_by()
    )
    found = {(r["question__survey_id"], r["question__key"], r["question__kind"]): r for r in rows}
    texts = dict(
        SurveyQuestion.objects.filter(survey__in=waves, kind__in=NUMERIC)
        .exclude(key="")
        .order_by("survey__opens_at", "pk")
        .values_list("key", "text")
    )  # the latest wave's wording wins
    lines = []
    # a key asked once as agreement and once as recommendation gives two lines, never a mix
    for key, kind in sorted({(key, kind) for _s, key, kind in found}):
        line = TrendLine(key, texts.get(key, key), kind)
        for wave in waves:
            row = found.get((wave.pk, key, kind))
            ok = row is not None and (wave.respondents or 0) >= k and row["n"] >= k
            value: Decimal | Nps | None = None
            if ok:
                value = nps_from_row(row) if kind == Kind.NPS else quantize(Decimal(row["avg"]))
            line.points.append((wave, value, row["n"] if ok else 0))
        line.chart = _trend_chart(line)
        lines.append(line)
    return waves, lines


@dataclass
class PhaseFigure:
    phase: Phase
    key: str
    kind: str
    average: Decimal | None  # None for recommendation questions: they have `nps`
    answers: int
    surveys: int
    text: str = ""  # the question as the latest survey asked it
    nps: Nps | None = None


def phase_figures(*, k: int | None = None) -> list[PhaseFigure]:
    """Return, per phase and numeric key, the average over the phase's surveys that reach k."""
    k = k or min_group_size()
    eligible = list(_eligible(k).exclude(phase=None))
    if not eligible:
        return []
    phases = {s.phase_id: s.phase for s in eligible}
    # per survey first: a survey's question below k stays out of the sum, else the phase
    # figure less the surveys' own figures would give its answers away
    rows = (
        SurveyAnswer.objects.filter(question__survey__in=eligible, question__kind__in=NUMERIC)
        .exclude(question__key="")
        .values(
            "question__survey__phase_id", "question__survey_id", "question__key", "question__kind"
        )
        .annotate(total=Sum("number"), n=Count("id"), **nps_aggregates())
        .order_by()
    )
    sums: dict[tuple[int, str, str], list[int]] = {}
    scores: dict[tuple[int, str, str], Nps] = {}
    for r in rows:
        if r["n"] < k:
            continue
        key = (r["question__survey__phase_id"], r["question__key"], r["question__kind"])
        found = sums.setdefault(key, [0, 0, 0])
        found[0] += r["total"] or 0
        found[1] += r["n"]
        found[2] += 1
        scores[key] = scores.get(key, Nps(0, 0, 0)) + nps_from_row(r)
    texts = dict(
        SurveyQuestion.objects.filter(survey__in=eligible, kind__in=NUMERIC)
        .exclude(key="")
        .order_by("survey__opens_at", "pk")
        .values_list("key", "text")
    )  # the latest survey's wording wins
    figures = []
    for (phase, key, kind), (total, n, surveys) in sums.items():
        nps = scores[(phase, key, kind)] if kind == Kind.NPS else None
        average = None if nps is not None else quantize(Decimal(total) / n)
        text = texts.get(key, key)
        figures.append(PhaseFigure(phases[phase], key, kind, average, n, surveys, text, nps))
    return sorted(figures, key=lambda f: (f.phase.number, f.key))


def survey_confidence(today: date) -> Reading | None:
    """KPI: average likert answer to the "confidence" question of the latest closed survey
    that reached k respondents (one query); None when there is none."""
    k = min_group_size()
    asks = SurveyQuestion.objects.filter(
        survey=OuterRef("pk"), key=CONFIDENCE_KEY, kind=Kind.LIKERT
    )
    latest = _eligible(k).filter(Exists(asks)).order_by("-closes_at", "-pk").values("pk")[:1]
    row = SurveyAnswer.objects.filter(
        question__survey=Subquery(latest),
        question__key=CONFIDENCE_KEY,
        question__kind=Kind.LIKERT,
        number__isnull=False,
    ).aggregate(avg=Avg("number"), n=Count("id"))
    if not row["n"] or row["n"] < k:
        return None
    return Reading(quantize(Decimal(row["avg"])), {"n": row["n"]})


def describe_confidence(reading: Reading) -> str:
    n = int(reading.parts["n"])
    return ngettext(
        "%(value)s of 5 on average in the latest pulse survey (%(n)s answer)",
        "%(value)s of 5 on average in the latest pulse survey (%(n)s answers)",
        n,
    ) % {"value": number_format(reading.value, decimal_pos=1), "n": n}
