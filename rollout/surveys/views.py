"""Pulse surveys for employees: the open surveys for me, and answering one.

A survey outside a person's audience is answered with 404: they must not learn it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from portal.http import AuthenticatedHttpRequest
from portal.roles import OVERSIGHT, Role
from rollout.models import SurveyParticipation
from rollout.surveys import answer as surveys_answer
from rollout.surveys import services as service
from rollout.surveys.forms import AnswerForm
from rollout.surveys.groups import min_group_size


@login_required
def survey_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    mine = SurveyParticipation.objects.filter(survey=OuterRef("pk"), user=request.user)
    surveys = (
        service.surveys_for(request.user)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .annotate(answered=Exists(mine))
        .order_by("closes_at", "pk")
    )
    return render(
        request,
        "rollout/surveys/list.html",
        {
            "surveys": surveys,
            "k": min_group_size(),
            "is_admin": request.user.has_role(Role.PROGRAMME_ADMIN),
            "reads_results": request.user.has_role(*OVERSIGHT),
        },
    )


@login_required
@sensitive_post_parameters()  # an error report must not carry the answers next to the user
def survey_answer(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(service.surveys_for(request.user), pk=survey_id)
    status = service.survey_status(survey)
    answered = SurveyParticipation.objects.filter(survey=survey, user=request.user).exists()
    form = None
    if status == service.OPEN and not answered:
        questions = list(survey.questions.order_by("order", "pk"))
        data = request.POST if request.method == "POST" else None
        form = AnswerForm(data, questions=questions)
        if request.method == "POST" and form.is_valid():
            try:
                surveys_answer.survey_answer(
                    survey=survey, user=request.user, answers=form.answers()
                )
            except service.AlreadyAnswered as error:
                messages.info(request, str(error))
                return redirect("rollout:survey-answer", survey.pk)
            except service.SurveyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Thank you! Your answers have been stored anonymously.")
                )
                return redirect("rollout:survey-list")
    elif request.method == "POST" and answered:
        messages.info(request, _("You have already answered this survey. Thank you!"))
    return render(
        request,
        "rollout/surveys/answer.html",
        {
            "survey": survey,
            "status": status,
            "answered": answered,
            "form": form,
            "k": min_group_size(),
        },
        status=409 if request.method == "POST" and form is None else 200,
    )
