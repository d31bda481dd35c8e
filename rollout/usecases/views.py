"""Use-case pages: the overview with search and impact, one use case, logging and editing,
the pipeline board.

Every signed-in person sees every use case (transparency) and may log one; the owner,
contributors and programme admins edit; reviewers and admins see the board.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.http import AuthenticatedHttpRequest
from portal.models import Department
from portal.roles import OVERSIGHT, REVIEWERS, Role, role_required
from rollout.models import UseCase
from rollout.usecases import selectors as reads
from rollout.usecases import workflow
from rollout.usecases.charts import hours_chart
from rollout.usecases.forms import CommentForm, FilterForm, UseCaseForm
from rollout.usecases.impact import impact
from rollout.usecases.risk import EXPLANATIONS, QUESTIONS
from rollout.usecases.services import (
    INTAKE,
    UseCaseError,
    is_editor,
    is_involved,
    is_reviewer,
    steps_for,
    usecase_create,
    usecase_update,
)

PAGE_SIZE = 25
SEARCH_LIMIT = 50


def get_use_case_to_edit(request: AuthenticatedHttpRequest, use_case_id: int) -> UseCase:
    """Return the use case if `request.user` maintains it: unknown → 404, others → 403."""
    use_case = get_object_or_404(UseCase, pk=use_case_id)
    if not is_editor(use_case, request.user):
        raise PermissionDenied
    return use_case


def _filters(values: dict) -> reads.Filters:
    department = values.get("department")
    return reads.Filters(
        status=values.get("status") or "",
        department_id=department.pk if department else None,
        risk=values.get("risk") or "",
        assistant=values.get("assistant") or "",
        mine=bool(values.get("mine")),
        sort=values.get("sort") or "updated",
    )


def results_context(request: AuthenticatedHttpRequest) -> dict:
    """Return what `rollout/usecases/_results.html` shows for the request's filters.

    With `q`, the hybrid search ranks the filtered use cases (no pagination);
    without, they are listed in the chosen order, a page at a time.
    """
    form = FilterForm(request.GET)
    values = form.values()
    use_cases = reads.filtered(_filters(values), user=request.user)
    query = (values.get("q") or "").strip()
    if query:
        from rollout.usecases.search import search_use_cases

        hits = search_use_cases(query, queryset=use_cases, limit=SEARCH_LIMIT)
        return {"query": query, "hits": hits, "filter_form": form}
    page = Paginator(use_cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"query": "", "page": page, "filter_form": form}


def _impact_context() -> dict:
    result = impact()
    rows = [(r.department or _("No department"), r.total) for r in result.rows]
    return {
        "impact": result,
        "impact_chart": hours_chart(
            rows,
            title=_("Hours saved per week by department"),
            desc=_(
                "Validated and rolled-out use cases; measured hours where known, else estimated."
            ),
        )
        if rows
        else "",
    }


@login_required
def usecase_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = results_context(request)
    context |= _impact_context()
    context |= {
        "statuses": UseCase.Status.choices,
        "risks": UseCase.Risk.choices,
        "assistants": UseCase.Assistant.choices,
        "departments": Department.objects.all(),
        "is_reviewer": is_reviewer(request.user),
    }
    return render(request, "rollout/usecases/list.html", context)


@login_required
def usecase_detail(
    request: AuthenticatedHttpRequest, use_case_id: int, *, comment_form: CommentForm | None = None
) -> HttpResponse:
    use_case = reads.detail(use_case_id)
    if use_case is None:
        raise Http404
    user = request.user
    review = max(use_case.ethics_reviews.all(), key=lambda r: (r.created_at, r.pk), default=None)
    context = {
        "use_case": use_case,
        "steps": steps_for(use_case, user),
        "can_edit": is_editor(use_case, user),
        "can_review": is_reviewer(user) and not is_involved(use_case, user),
        "can_sign_off": user.has_role(Role.WORKS_COUNCIL) and use_case.personal_data,
        "sees_governance": user.has_role(*OVERSIGHT),
        "is_admin": user.has_role(Role.PROGRAMME_ADMIN),
        "risk_explanation": EXPLANATIONS[use_case.risk],
        "risk_answers": _answers(use_case),
        "review": review,
        "gaps": workflow.validation_gaps(use_case) if use_case.status == "pilot" else [],
        "validation": workflow.complete_validation(use_case)
        if use_case.status == "pilot"
        else None,
        "signoff": workflow.current_signoff(use_case) if use_case.personal_data else None,
        "viewer": reads.viewer_state(use_case, user),
        "comment_form": comment_form or CommentForm(),
    }
    return render(request, "rollout/usecases/detail.html", context)


def _answers(use_case: UseCase) -> list[tuple[str, bool]]:
    answers = use_case.risk_answers or {}
    return [(question, answers[key]) for key, _r, question, _e in QUESTIONS if key in answers]


@login_required
def usecase_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = {"department": request.user.department_id}
    form = UseCaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        use_case = usecase_create(by=request.user, **form.service_values())
        messages.success(request, _("Your use case was logged as an idea."))
        if use_case.risk == UseCase.Risk.HIGH:
            messages.warning(request, _("It is high-risk: the ethics board will review it."))
        return redirect("rollout:usecase-detail", use_case.pk)
    return render(request, "rollout/usecases/form.html", {"form": form})


@login_required
def usecase_edit(request: AuthenticatedHttpRequest, use_case_id: int) -> HttpResponse:
    use_case = get_use_case_to_edit(request, use_case_id)
    with_risk = use_case.status in INTAKE
    form = UseCaseForm(
        request.POST or None, initial=UseCaseForm.initial_for(use_case), with_risk=with_risk
    )
    if request.method == "POST" and form.is_valid():
        try:
            usecase_update(use_case=use_case, by=request.user, **form.service_values())
        except UseCaseError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The use case was saved."))
            return redirect("rollout:usecase-detail", use_case.pk)
    return render(request, "rollout/usecases/form.html", {"form": form, "use_case": use_case})


@role_required(*REVIEWERS)
def usecase_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the pipeline: a column per status with its count and latest use cases."""
    return render(
        request,
        "rollout/usecases/board.html",
        {"columns": reads.board(), "limit": reads.BOARD_LIMIT},
    )
