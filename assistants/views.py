"""Pages of the AI assistants: the protocol generator, its jobs and results, model status."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistants import fact_blocks, selectors
from assistants.forms import ProtocolForm
from assistants.kinds import PROTOCOL, TRANSCRIPT, job_kind
from assistants.models import GenerationJob, Protocol, StatusReport, Transcript
from assistants.services import reports
from assistants.services.jobs import job_cancel, queue_position
from assistants.services.protocols import protocol_job_create
from assistants.speech import views as speech_views
from assistants.speech.services import quote_times
from assistants.speech.turns import protocol_text
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
            "transcripts": request.user.transcripts.only("pk", "title", "seconds", "created_at")[
                :10
            ],
            "transcriptions": selectors.jobs_for(request.user, TRANSCRIPT).exclude(
                status=GenerationJob.Status.DONE
            )[:5],
            "reports": StatusReport.objects.select_related("approved_by")[:6]
            if request.user.has_role(Role.PROGRAMME_ADMIN)
            else None,
        },
    )


@login_required
def protocol_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form; "Vorschau" shows what was read and what the job will take, the main button
    starts the job. A form shown again keeps the text (an upload's text too), never empty."""
    initial = {"output_language": request.user.preferred_language}
    if request.method != "POST":
        initial = _transcript_initial(request, _retry_initial(request, initial))
        return _protocol_form_page(request, ProtocolForm(initial=initial))
    form = ProtocolForm(request.POST, request.FILES, initial=initial)
    valid = form.is_valid()
    if valid and request.POST.get("action") != "preview":
        data = form.cleaned_data
        job = protocol_job_create(
            owner=request.user,
            title=data["title"],
            meeting_date=data["meeting_date"],
            participants=data["participants"],
            template=data["template"],
            output_language=data["output_language"],
            transcript=data["transcript_text"],
            from_transcript=Transcript.objects.filter(
                pk=data["from_transcript"], owner=request.user
            ).first()
            if data["from_transcript"]
            else None,
        )
        return redirect("assistants:job-detail", job.pk)
    if form.transcript_text is not None and form.transcript_text != request.POST.get("transcript"):
        # Show the text as read (from the file, with renamed speakers) in the text box, so
        # the next submit works from it: nothing to upload again, nothing lost.
        data = request.POST.copy()
        data["transcript"] = form.transcript_text
        for key in [k for k in data if k.startswith(("speaker_from_", "speaker_to_"))]:
            del data[key]
        form = ProtocolForm(data, initial=initial)
        form.is_valid()
    return _protocol_form_page(request, form, preview=True)


def _protocol_form_page(
    request: AuthenticatedHttpRequest, form: ProtocolForm, *, preview: bool = False
) -> HttpResponse:
    return render(
        request,
        "assistants/protocol_new.html",
        {"form": form, "model": selectors.model_facts(), "preview": preview},
    )


def _transcript_initial(request: AuthenticatedHttpRequest, initial: dict) -> dict:
    """A corrected transcript of a recording ("?transkript=<id>"), for its owner only."""
    transcript_id = request.GET.get("transkript", "")
    if not transcript_id.isdigit():
        return initial
    transcript = Transcript.objects.filter(pk=int(transcript_id), owner=request.user).first()
    if transcript is None:
        return initial
    return {
        **initial,
        "title": transcript.title,
        "meeting_date": timezone.localdate(transcript.created_at),
        "participants_other": ", ".join(transcript.speakers),
        "transcript": protocol_text(transcript.turns),
        "from_transcript": transcript.pk,
    }


def _retry_initial(request: AuthenticatedHttpRequest, initial: dict) -> dict:
    """A failed job's text and details again ("?erneut=<job>"), for its owner only."""
    job_id = request.GET.get("erneut", "")
    if not job_id.isdigit():
        return initial
    job = (
        GenerationJob.objects.filter(pk=int(job_id), owner=request.user, kind=PROTOCOL)
        .exclude(input_text="")
        .first()
    )
    if job is None:
        return initial
    return {
        **initial,
        "title": job.params.get("title", ""),
        "meeting_date": job.params.get("meeting_date") or None,
        "participants_other": ", ".join(job.params.get("participants", [])),
        "template": job.template_id,
        "output_language": job.output_language,
        "transcript": job.input_text,
        "from_transcript": job.params.get("transcript_id"),
    }


@login_required
def job_detail(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = _get_job_for_user(request, job_id)
    if job.kind == TRANSCRIPT:
        if job.owner_id != request.user.pk:
            raise Http404  # a recording's transcript is its owner's until it feeds a protocol
        return speech_views.job_page(request, job)
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
    cancelled = job_cancel(job=job, by=request.user)
    if job.kind == TRANSCRIPT:
        messages.info(
            request,
            _("The transcription is being cancelled; the recording will be deleted.")
            if cancelled
            else _("The transcription had already ended."),
        )
    elif cancelled:
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
            "assigned": selectors.assigned_people(protocol.data),
            **_recording_links(protocol),
        },
    )


def _recording_links(protocol: Protocol) -> dict:
    """Where each verified quote was said, when the protocol was made from a recording."""
    transcript_id = protocol.job.params.get("transcript_id") if protocol.job else None
    transcript = Transcript.objects.filter(pk=transcript_id).first() if transcript_id else None
    return {"from_recording": transcript, "quote_times": quote_times(transcript, protocol.data)}


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
            "facts": fact_blocks.read(fact_blocks.gather()),
            "model": selectors.model_facts(),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def model_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "assistants/model_status.html", {"status": selectors.model_status()})
