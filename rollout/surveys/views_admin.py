"""Pulse surveys for programme admins: list, create and edit (with questions), open, close.

No page here shows a single response or who answered: only how many took part.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role, role_required
from rollout.models import Survey
from rollout.programme import selectors
from rollout.surveys import services as service
from rollout.surveys.forms import QuestionFormSet, SurveyForm, question_initial

_FIELDS = service.SURVEY_FIELDS


@role_required(Role.PROGRAMME_ADMIN)
def survey_admin(request: AuthenticatedHttpRequest) -> HttpResponse:
    surveys = list(
        Survey.objects.select_related("phase", "department")
        .annotate(
            participants=Count("participations", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .order_by("-opens_at", "-pk")
    )
    for survey in surveys:
        survey.status = service.survey_status(survey)
        survey.audience_label = service.audience_label(survey)
    return render(request, "rollout/surveys/admin_list.html", {"surveys": surveys})


def _series_names() -> list[str]:
    return list(
        Survey.objects.exclude(series="")
        .order_by("series")
        .values_list("series", flat=True)
        .distinct()
    )


def _survey_form(request: AuthenticatedHttpRequest, survey: Survey | None) -> HttpResponse:
    programme = selectors.current_programme()
    locked = survey is not None and survey.participations.exists()
    initial = {name: getattr(survey, name) for name in _FIELDS} if survey else {}
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, initial=initial, programme=programme)
    if locked:  # the service refuses such changes; the form does not even offer them
        for name in ("audience", "department", "role"):
            form.fields[name].disabled = True
    questions = None
    if not locked:
        rows = question_initial(list(survey.questions.order_by("order", "pk"))) if survey else []
        questions = QuestionFormSet(data, initial=rows, prefix="questions")
    if request.method == "POST" and form.is_valid() and (questions is None or questions.is_valid()):
        specs = questions.specs() if questions is not None else None
        fields = {name: form.cleaned_data.get(name) for name in _FIELDS}
        try:
            if survey is None:
                survey = service.survey_create(by=request.user, questions=specs or [], **fields)
                messages.success(request, _("Survey created."))
            else:
                service.survey_update(survey=survey, by=request.user, questions=specs, **fields)
                messages.success(request, _("Survey saved."))
        except service.SurveyError as error:
            form.add_error(None, str(error))
        else:
            return redirect("rollout:survey-admin")
    return render(
        request,
        "rollout/surveys/form.html",
        {
            "form": form,
            "questions": questions,
            "survey": survey,
            "locked": locked,
            "fixed_questions": survey.questions.order_by("order", "pk") if locked else [],
            "series_names": _series_names(),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def survey_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _survey_form(request, None)


@role_required(Role.PROGRAMME_ADMIN)
def survey_edit(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    return _survey_form(request, get_object_or_404(Survey, pk=survey_id))


@require_POST
@role_required(Role.PROGRAMME_ADMIN)
def survey_open(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    try:
        service.survey_open(survey=survey, by=request.user)
    except service.SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The survey is open."))
    return redirect("rollout:survey-admin")


@require_POST
@role_required(Role.PROGRAMME_ADMIN)
def survey_close(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    try:
        service.survey_close(survey=survey, by=request.user)
    except service.SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The survey is closed; its results can now be read."))
    return redirect("rollout:survey-admin")
