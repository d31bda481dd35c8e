"""Review steps of a use case: a step through the pipeline, the reviewer's checklist, the
data-protection sign-off. Each is a small page with a form (a comment or reason, notes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.http import AuthenticatedHttpRequest
from portal.roles import REVIEWERS, Role, role_required
from rollout.models import UseCase
from rollout.usecases import workflow
from rollout.usecases.forms import SignoffForm, StepForm, ValidationForm
from rollout.usecases.services import (
    TRANSITIONS,
    UseCaseError,
    is_editor,
    is_involved,
    is_reviewer,
    step_allowed_for,
    step_to,
)


@login_required
def usecase_step(request: AuthenticatedHttpRequest, use_case_id: int, to: str) -> HttpResponse:
    """Ask for a comment (or the reason) and take the step to `to`.

    A step the person may not take → 403; a step they could take, but not from the current
    status (a page left open while someone else moved the use case) → back to the use case
    with a message.
    """
    use_case = get_object_or_404(UseCase, pk=use_case_id)
    if to not in UseCase.Status.values:
        raise Http404
    editor, reviewer = is_editor(use_case, request.user), is_reviewer(request.user)
    step = step_to(use_case.status, to)
    if step is None:
        possible = [s for steps in TRANSITIONS.values() for s in steps if s.to == to]
        if not any(step_allowed_for(s, editor=editor, reviewer=reviewer) for s in possible):
            raise PermissionDenied
        messages.error(
            request,
            _("A use case cannot go from “%(current)s” to “%(to)s”.")
            % {"current": use_case.get_status_display(), "to": UseCase.Status(to).label},
        )
        return redirect("rollout:usecase-detail", use_case.pk)
    if not step_allowed_for(step, editor=editor, reviewer=reviewer):
        raise PermissionDenied
    form = StepForm(
        request.POST or None,
        initial={"expected": use_case.status},
        reason_required=step.reason_required,
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.usecase_transition(
                use_case=use_case,
                by=request.user,
                to=to,
                comment=form.cleaned_data["comment"],
                expected=form.cleaned_data["expected"] or None,
            )
        except UseCaseError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request,
                _("The use case is now “%(status)s”.") % {"status": UseCase.Status(to).label},
            )
            return redirect("rollout:usecase-detail", use_case.pk)
    gaps = workflow.validation_gaps(use_case) if to == UseCase.Status.VALIDATED else []
    return render(
        request,
        "rollout/usecases/step.html",
        {
            "use_case": use_case,
            "step": step,
            "target": UseCase.Status(to).label,
            "form": form,
            "gaps": gaps,
        },
    )


@role_required(*REVIEWERS)
def usecase_validate(request: AuthenticatedHttpRequest, use_case_id: int) -> HttpResponse:
    """The reviewer's checklist for a use case in the pilot."""
    use_case = get_object_or_404(UseCase, pk=use_case_id)
    open_ = use_case.status == UseCase.Status.PILOT and not is_involved(use_case, request.user)
    form = ValidationForm(request.POST or None)
    if request.method == "POST" and open_ and form.is_valid():
        try:
            validation = workflow.validation_record(
                use_case=use_case, by=request.user, **form.cleaned_data
            )
        except UseCaseError as e:
            form.add_error(None, str(e))
        else:
            if validation.complete:
                messages.success(request, _("Checklist recorded: all four checks passed."))
            else:
                messages.warning(request, _("Checklist recorded: not all checks passed yet."))
            return redirect("rollout:usecase-detail", use_case.pk)
    return render(
        request,
        "rollout/usecases/validate.html",
        {
            "use_case": use_case,
            "form": form,
            "open": open_,
            "involved": is_involved(use_case, request.user),
        },
    )


@role_required(Role.WORKS_COUNCIL)
def usecase_signoff(request: AuthenticatedHttpRequest, use_case_id: int) -> HttpResponse:
    """The data-protection sign-off of a pilot that involves personal data."""
    use_case = get_object_or_404(UseCase, pk=use_case_id)
    signoff = workflow.current_signoff(use_case)
    open_ = (
        use_case.status == UseCase.Status.PILOT
        and use_case.personal_data
        and signoff is None
        and not is_involved(use_case, request.user)
    )
    form = SignoffForm(request.POST or None)
    if request.method == "POST" and open_ and form.is_valid():
        try:
            workflow.signoff_record(use_case=use_case, by=request.user, **form.cleaned_data)
        except UseCaseError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Data-protection sign-off recorded."))
            return redirect("rollout:usecase-detail", use_case.pk)
    return render(
        request,
        "rollout/usecases/signoff.html",
        {"use_case": use_case, "form": form, "open": open_, "signoff": signoff},
    )
