"""The local model's draft of the next issue on the compose page (programme admins).

Three htmx steps, each also reachable without JavaScript through the compose form's
`action` button (see views_compose): start the job, look at it, adopt its text into the
German body field. Adopting only changes the editor; saving stays the admin's step.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from newsletter.services import model_draft
from newsletter.services.issues import IssueError
from portal.http import AuthenticatedHttpRequest
from portal.roles import Role, role_required

ADMINS = (Role.PROGRAMME_ADMIN,)


def draft_context(request: AuthenticatedHttpRequest, job_id: int | str | None) -> dict:
    """The panel's context for `job_id` (one of the admin's own draft jobs), or 404."""
    try:
        pk = int(job_id or 0)
    except (TypeError, ValueError):
        raise Http404 from None
    job = model_draft.model_draft_job(job_id=pk, owner=request.user)
    if job is None:
        raise Http404
    return {"model_job": job, "model_text": model_draft.model_draft_text(job)}


def draft_start(request: AuthenticatedHttpRequest) -> dict:
    """Start a draft job; the panel's context, with an `model_error` when there is nothing."""
    try:
        job = model_draft.model_draft_start(by=request.user)
    except IssueError as e:
        return {"model_error": str(e)}
    return {"model_job": job, "model_text": ""}


@require_POST
@role_required(*ADMINS)
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "newsletter/_model_draft.html", draft_start(request))


@require_GET
@role_required(*ADMINS)
def status(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    return render(request, "newsletter/_model_draft.html", draft_context(request, job_id))


@require_POST
@role_required(*ADMINS)
def adopt(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    """Return the German text field with the finished draft appended (htmx)."""
    from newsletter.views_compose import body_with, unbound_form

    context = draft_context(request, job_id)
    form = unbound_form(request.POST, body_de=body_with(request.POST, context["model_text"]))
    return render(request, "newsletter/_body_field.html", {"field": form["body_de"]})
