"""Pages of the AI assistants: the protocol generator, its jobs and results, model status."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistants import selectors
from assistants.forms import ProtocolForm
from assistants.kinds import PROTOCOL, job_kind
from assistants.models import GenerationJob, Protocol, StatusReport
from assistants.services import reports
from assistants.services.jobs import job_cancel, queue_position
from assistants.services.protocols import protocol_job_create
from portal.http import AuthenticatedHttpRequest
from portal.roles import REVIEWERS, Role, role_required


def _get_job_for_user(request: AuthenticatedHttpRequest, job_id: int) -> GenerationJob:
    job = get_object_or_404(GenerationJob.objects.select_related("template", "owner"), pk=job_id)
    if job.owner_id != request.user.pk and not request.user.has_role(*REVIEWERS):
        raise Http404
    return job


def _get_protocol_for_user(request: AuthenticatedHttpRequest, protocol_id: int) -> Protocol:
    protocol = get_object_or_404(
        Protocol.objects.select_related("template", "owner", "job"), pk=protocol_id
    )
    if protocol.owner_id != request.user.pk and not request.user.has_role(*REVIEWERS):
        raise Http404
    return protocol


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "assistants/index.html",
        {
            "model": selectors.model_facts(),
            "jobs": selectors.jobs_for(request.user, PROTOCOL)[:20],
            "reports": StatusReport.objects.select_related("approved_by")[:6]
            if request.user.has_role(Role.PROGRAMME_ADMIN)
            else None,
        },
    )


@login_required
def protocol_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProtocolForm(
        request.POST or None,
        request.FILES or None,
        initial={"output_language": request.user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = protocol_job_create(
            owner=request.user,
            title=data["title"],
            meeting_date=data["meeting_date"],
            participants=data["participants"],
            template=data["template"],
            output_language=data["output_language"],
            transcript=data["transcript_text"],
        )
        return redirect("assistants:job-detail", job.pk)
    return render(
        request, "assistants/protocol_new.html", {"form": form, "model": selectors.model_facts()}
    )


@login_required
def job_detail(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = _get_job_for_user(request, job_id)
    kind = job_kind(job.kind)
    context = {
        "job": job,
        "kind": kind,
        "result_url": kind.result_url(job) if kind and job.status == job.Status.DONE else None,
        "position": queue_position(job),
        "model": selectors.model_facts(),
    }
    if request.htmx:
        return render(request, "assistants/job_detail.html#job-status", context)
    return render(request, "assistants/job_detail.html", context)


@require_POST
@login_required
def job_cancel_view(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = _get_job_for_user(request, job_id)
    if job.owner_id != request.user.pk:
        raise Http404  # reviewers may read, only the owner may cancel
    if job_cancel(job=job, by=request.user):
        messages.info(request, _("The generation is being cancelled."))
    else:
        messages.info(request, _("The generation had already ended."))
    return redirect("assistants:job-detail", job.pk)


@login_required
def protocol_detail(request: AuthenticatedHttpRequest, protocol_id: int) -> HttpResponse:
    from assistants.services import review

    protocol = _get_protocol_for_user(request, protocol_id)
    return render(
        request,
        "assistants/protocol_detail.html",
        {
            "protocol": protocol,
            "data": protocol.data,
            "job": protocol.job,
            "model": selectors.model_facts(),
            "can_edit": review.can_edit(protocol, request.user),
            "can_review": review.can_review(protocol, request.user),
            "pending": review.pending_items(protocol.data),
            "approved_version": protocol.versions.select_related("approved_by").first(),
            "editors": selectors.protocol_editors(protocol),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def report_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the facts the report will rest on; POST drafts it on the local model."""
    if request.method == "POST":
        language = request.POST.get("language", request.user.preferred_language)
        if language not in dict(settings.LANGUAGES):
            language = request.user.preferred_language
        job = reports.report_job_create(owner=request.user, language=language)
        return redirect("assistants:job-detail", job.pk)
    return render(
        request,
        "assistants/report_new.html",
        {
            "facts": reports.report_facts(),
            "model": selectors.model_facts(),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def model_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "assistants/model_status.html", {"status": selectors.model_status()})
