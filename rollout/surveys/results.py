"""A survey's results for people: aggregates only, and only for groups of at least k.

The rules, the same for the page and the CSV export:
- Nothing while the survey is open or upcoming: live figures change right after a colleague
  answers, and the difference would be their answers.
- A group (everyone, a department, "other departments"; see surveys_groups) is shown only
  with at least k respondents, a question only with at least k answers.
- Free text only for everyone (never next to a department filter, not even one that reaches
  k: the stricter of the two possible rules) and only with at least k respondents; sorted
  alphabetically, never in the order written. The CSV has no free text at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import Lower
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rollout.common.charts import bar_chart
from rollout.models import Survey, SurveyAnswer, SurveyQuestion
from rollout.programme.kpis import quantize
from rollout.surveys.groups import (
    Group,
    hidden_cells,
    min_group_size,
    survey_groups,
    survey_groups_freeze,
)
from rollout.surveys.nps import Nps, nps_from_counts
from rollout.surveys.services import CLOSED, survey_status

Kind = SurveyQuestion.Kind
LIKERT_LABELS = {
    1: gettext_lazy("strongly disagree"),
    2: gettext_lazy("rather disagree"),
    3: gettext_lazy("neither agree nor disagree"),
    4: gettext_lazy("rather agree"),
    5: gettext_lazy("strongly agree"),
}


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answers: int
    shown: bool
    average: Decimal | None = None  # agreement and 0–10 scales
    nps: Nps | None = None  # recommendation questions: the score instead of an average
    rows: list[tuple[str, int, int]] = field(default_factory=list)  # label, count, percent
    texts: list[str] = field(default_factory=list)
    chart: SafeString | str = ""
    # hidden although it reaches k: with the other groups it would reveal a smaller one
    by_difference: bool = False


@dataclass
class Results:
    survey: Survey
    k: int
    respondents: int  # everyone
    group: Group | None  # the department filter applied, None for everyone
    groups: tuple[Group, ...]  # the filters offered
    shown: bool
    reason: str = ""  # why nothing is shown
    texts_note: str = ""  # why free text is not shown
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def group_respondents(self) -> int:
        return self.group.respondents if self.group else self.respondents


def option_labels(question: SurveyQuestion) -> list[tuple[int | str, str]]:
    """Return (stored value, label) of every answer a closed question offers."""
    if question.kind == Kind.LIKERT:
        return [(v, f"{v} – {label}") for v, label in LIKERT_LABELS.items()]
    if question.kind in (Kind.SCALE, Kind.NPS):
        return [(v, str(v)) for v in range(11)]
    if question.kind == Kind.CHOICE:
        return [(c, c) for c in question.choices or []]
    return []


def _question_result(
    question: SurveyQuestion, counts: dict[int | str, int], k: int
) -> QuestionResult:
    n = sum(counts.values())
    if n < k:
        return QuestionResult(question, n, shown=False)
    labels = option_labels(question)
    rows = [
        (label, counts.get(value, 0), round(100 * counts.get(value, 0) / n))
        for value, label in labels
    ]
    average = nps = None
    if question.kind in (Kind.LIKERT, Kind.SCALE):
        average = quantize(Decimal(sum(int(v) * c for v, c in counts.items())) / n)
    elif question.kind == Kind.NPS:
        nps = nps_from_counts(counts)
    chart = bar_chart(
        [(label, percent, False) for label, _count, percent in rows],
        title=question.text,
        desc="; ".join(f"{label}: {percent} %" for label, _c, percent in rows),
    )
    return QuestionResult(question, n, True, average=average, nps=nps, rows=rows, chart=chart)


def survey_results(survey: Survey, *, group_key: str = "") -> Results:
    """Return what may be shown of `survey` for everyone or one offered group (≤ 5 queries)."""
    if survey_status(survey) != CLOSED:
        groups = survey_groups(survey)
        results = Results(survey, groups.k, groups.respondents, None, (), shown=False)
        results.reason = _("Results are shown once the survey has closed.")
        return results  # not even live counts per department
    groups = survey_groups_freeze(survey)
    k = min_group_size()  # a k raised since the groups were fixed applies as well
    hidden_groups = hidden_cells({g.key: g.respondents for g in groups.offered}, k)
    offered = tuple(g for g in groups.offered if g.key not in hidden_groups)
    results = Results(survey, k, groups.respondents, None, offered, shown=False)
    if group_key:
        results.group = next((g for g in offered if g.key == group_key), None)
        if results.group is None:
            results.reason = _(
                "This group is smaller than %(k)s respondents, or it cannot be shown without "
                "revealing a smaller one: no results for it."
            ) % {"k": k}
            return results
    if results.group_respondents < k:
        results.reason = _(
            "Fewer than %(k)s people answered: no results are shown, to protect their anonymity."
        ) % {"k": k}
        return results
    results.shown = True
    answers = SurveyAnswer.objects.filter(response__survey=survey)
    # answers per group, question and value: every group's count decides what each may show
    cells: dict[int, dict[str, dict[int | str, int]]] = {}
    for row in (
        answers.exclude(question__kind=Kind.TEXT)
        .values("response__group", "question_id", "number", "choice")
        .annotate(n=Count("id"))
        .order_by()
    ):
        value = row["number"] if row["number"] is not None else row["choice"]
        by_group = cells.setdefault(row["question_id"], {})
        by_group.setdefault(row["response__group"], {})[value] = row["n"]
    texts: dict[int, list[str]] = {}
    if results.group is None:
        for question_id, text in (
            answers.filter(question__kind=Kind.TEXT)
            .exclude(text="")
            .order_by(Lower("text"), "text")
            .values_list("question_id", "text")
        ):
            texts.setdefault(question_id, []).append(text)
    else:
        results.texts_note = _(
            "Free-text answers are shown for all respondents only, never for a single group."
        )
    keys = [g.key for g in groups.offered]
    for question in survey.questions.order_by("order", "pk"):
        if question.kind == Kind.TEXT:
            found = texts.get(question.pk, [])
            shown = results.group is None
            results.questions.append(QuestionResult(question, len(found), shown, texts=found))
            continue
        by_group = cells.get(question.pk, {})
        if results.group is None:
            counts: dict[int | str, int] = {}
            for values in by_group.values():
                for value, n in values.items():
                    counts[value] = counts.get(value, 0) + n
            results.questions.append(_question_result(question, counts, k))
            continue
        counts = by_group.get(results.group.key, {})
        answered = {key: sum(by_group.get(key, {}).values()) for key in keys}
        suppressed = hidden_cells(answered, k, hidden=hidden_groups)
        if results.group.key in suppressed and answered[results.group.key] >= k:
            results.questions.append(
                QuestionResult(question, answered[results.group.key], False, by_difference=True)
            )
            continue
        results.questions.append(_question_result(question, counts, k))
    return results
