"""Survey results for programme admins and the works council: aggregates only.

Every figure comes from rollout.surveys.results / surveys_trends, which apply the
k-threshold; this module only lays them out (page and CSV).
"""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portal.http import AuthenticatedHttpRequest
from portal.roles import OVERSIGHT, role_required
from portal.services import audit_record
from rollout.common.spreadsheet import csv_response, csv_safe
from rollout.models import Survey
from rollout.surveys.groups import min_group_size
from rollout.surveys.results import Kind, Results, survey_results
from rollout.surveys.services import survey_status
from rollout.surveys.trends import phase_figures, series_trend


@role_required(*OVERSIGHT)
def results_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the surveys, the figures per phase and the trend of every repeated survey."""
    k = min_group_size()
    surveys = list(
        Survey.objects.select_related("phase")
        .annotate(respondents=Count("responses"))
        .order_by("-opens_at", "-pk")
    )
    now = timezone.now()
    for survey in surveys:
        survey.status = survey_status(survey, now)
    series = sorted({s.series for s in surveys if s.series and s.status == "closed"})
    trends = [(name, *series_trend(name, k=k)) for name in series]
    return render(
        request,
        "rollout/surveys/results_overview.html",
        {
            "surveys": surveys,
            "k": k,
            "phase_figures": phase_figures(k=k),
            "trends": [(name, waves, lines) for name, waves, lines in trends if len(waves) > 1],
        },
    )


@role_required(*OVERSIGHT)
def survey_results_page(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("phase", "department"), pk=survey_id)
    group_key = request.GET.get("department", "")[:20]
    results = survey_results(survey, group_key=group_key)
    waves, trend = series_trend(survey.series, k=results.k) if survey.series else ([], [])
    return render(
        request,
        "rollout/surveys/results.html",
        {
            "survey": survey,
            "results": results,
            "group_key": group_key,
            "waves": waves if len(waves) > 1 else [],
            "trend": trend if len(waves) > 1 else [],
        },
    )


def _csv_rows(results: Results) -> list[list[object]]:
    label = results.group.label if results.group else _("all respondents")
    head = [results.survey.title, label, results.group_respondents]
    if not results.shown:
        return [[*head, results.reason]]
    rows = []
    for q in results.questions:
        if q.question.kind == Kind.TEXT:
            continue  # free text only on the page, for everyone, never in a file
        if not q.shown:
            rows.append([*head, q.question.text, q.question.key, q.answers, "", "", "", ""])
            continue
        average = number_format(q.average, decimal_pos=1) if q.average is not None else ""
        nps = (
            [q.nps.score, q.nps.promoter_percent, q.nps.passive_percent, q.nps.detractor_percent]
            if q.nps is not None
            else []
        )
        for option, count, percent in q.rows:
            rows.append(
                [
                    *head, q.question.text, q.question.key, q.answers, average, option, count,
                    percent, *nps,
                ]
            )  # fmt: skip
    return rows


@role_required(*OVERSIGHT)
def survey_export(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    """Export the aggregates per group: one row per question and answer option, never one
    per response; the same k-thresholds as the page; no free text."""
    survey = get_object_or_404(Survey, pk=survey_id)
    everyone = survey_results(survey)
    groups = [everyone] + (
        [survey_results(survey, group_key=g.key) for g in everyone.groups] if everyone.shown else []
    )
    response, writer = csv_response(f"umfrage-{survey.pk}.csv")
    writer.writerow(
        [
            _("Survey"), _("Group"), _("Respondents"), _("Question"), _("Key"), _("Answers"),
            _("Average"), _("Answer"), _("Count"), _("Share %"),
            # recommendation questions only (the NPS replaces their average)
            _("NPS"), _("Promoters % (9–10)"), _("Passives % (7–8)"), _("Detractors % (0–6)"),
        ]
    )  # fmt: skip
    for results in groups:
        for row in _csv_rows(results):
            writer.writerow([csv_safe(cell) for cell in row])
    audit_record(actor=request.user, action="survey.exported", target=survey)
    return response
