"""Pages of speech to text: upload or record, watch the transcript come in, correct it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from assistants.kinds import job_kind
from assistants.models import GenerationJob, Transcript
from assistants.services.jobs import queue_position
from assistants.speech import audio, services
from assistants.speech.forms import AudioSizeLimit, RenameSpeakerForm, TranscriptionForm, TurnForm
from assistants.speech.turns import clock
from portal.http import AuthenticatedHttpRequest
from portal.roles import REVIEWERS


@csrf_exempt  # checked below, once the size limit is in place (Django's documented pattern)
@login_required
def transcript_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    limit = AudioSizeLimit(request)
    if request.method == "POST":
        request.upload_handlers.insert(0, limit)
    return _transcript_new(request, limit)


@csrf_protect
def _transcript_new(request: AuthenticatedHttpRequest, limit: AudioSizeLimit) -> HttpResponse:
    if request.method != "POST":
        form = TranscriptionForm(initial={"language": request.user.preferred_language})
        return _form_page(request, form)
    form = TranscriptionForm(request.POST, request.FILES, too_large=limit.too_large)
    if not form.is_valid():
        return _form_page(request, form)
    upload = form.cleaned_data["audio"]
    staged = _stage(upload)
    try:
        info = audio.probe(staged)
    except audio.AudioRefused as e:
        staged.unlink(missing_ok=True)
        form.add_error("audio", str(e))
        return _form_page(request, form)
    name = staged.with_suffix(f".{info.container}").name
    staged.rename(settings.AUDIO_DIR / name)
    job = services.transcription_job_create(
        owner=request.user,
        title=form.cleaned_data["title"],
        language=form.cleaned_data["language"],
        audio=name,
        info=info,
        recorded=form.cleaned_data["recorded"],
    )
    return redirect("assistants:job-detail", job.pk)


def _stage(upload) -> Path:
    """The upload as a file of its own in the audio folder (probed there, then renamed)."""
    settings.AUDIO_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = settings.AUDIO_DIR / f"{services.new_audio_name()}.upload"
    with path.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def _form_page(request: AuthenticatedHttpRequest, form: TranscriptionForm) -> HttpResponse:
    return render(
        request,
        "assistants/transcript_new.html",
        {
            "form": form,
            "max_seconds": settings.AUDIO_MAX_SECONDS,
            "max_length": audio.duration_text(settings.AUDIO_MAX_SECONDS),
        },
    )


def job_page(request: AuthenticatedHttpRequest, job: GenerationJob) -> HttpResponse:
    """A transcription's job page; polled, it sends the segments it has not shown yet."""
    shown = request.GET.get("shown", "0")
    shown = int(shown) if shown.isdigit() else 0
    new = services.streamed_segments(job, after=shown) if job.is_active else []
    kind = job_kind(job.kind)
    context = {
        "job": job,
        "kind": kind,
        "result_url": kind.result_url(job) if kind and job.status == job.Status.DONE else None,
        "position": queue_position(job),
        "shown": shown + len(new),
        "length": audio.duration_text(job.params.get("seconds", 0)),
    }
    if request.htmx:  # only what is new, appended to the list (out of band)
        context["new_segments"] = new
        return render(request, "assistants/transcription_job.html#transcription-status", context)
    return render(request, "assistants/transcription_job.html", {**context, "segments": new})


def _get_transcript(
    request: AuthenticatedHttpRequest, transcript_id: int, *, edit: bool = False
) -> Transcript:
    """The owner's, or (to read, e.g. to check a protocol's quotes) a reviewer's."""
    transcript = get_object_or_404(Transcript.objects.select_related("owner"), pk=transcript_id)
    if transcript.owner_id == request.user.pk:
        return transcript
    if edit or not request.user.has_role(*REVIEWERS):
        raise Http404
    return transcript


@login_required
def transcript_detail(request: AuthenticatedHttpRequest, transcript_id: int) -> HttpResponse:
    transcript = _get_transcript(request, transcript_id)
    return render(
        request,
        "assistants/transcript_detail.html",
        {
            "transcript": transcript,
            "turns": _turn_rows(transcript),
            "can_edit": transcript.owner_id == request.user.pk,
            "rename_form": RenameSpeakerForm(speakers=transcript.speakers),
            "length": audio.duration_text(transcript.seconds),
        },
    )


def _turn_rows(transcript: Transcript) -> list[dict]:
    return [
        {**turn, "index": index, "clock": clock(turn["start"]), "anchor": int(turn["start"])}
        for index, turn in enumerate(transcript.turns)
    ]


@login_required
def turn_edit(request: AuthenticatedHttpRequest, transcript_id: int, index: int) -> HttpResponse:
    """One turn's speaker and text; in place with htmx, as a page of its own without."""
    transcript = _get_transcript(request, transcript_id, edit=True)
    if index >= len(transcript.turns):
        raise Http404
    turn = transcript.turns[index]
    auto_id = f"id_turn{index}_%s"  # unique while several turns are open for correction
    if request.method == "POST":
        form = TurnForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            turns = list(transcript.turns)
            turns[index] = {**turn, **form.cleaned_data}
            services.transcript_update(transcript=transcript, turns=turns, by=request.user)
            if not request.htmx:
                url = reverse("assistants:transcript-detail", args=[transcript.pk])
                return redirect(f"{url}#t-{int(turn['start'])}")
            row = _turn_rows(transcript)[index]
            return render(
                request,
                "assistants/transcript_detail.html#turn",
                {"turn": row, "transcript": transcript, "can_edit": True},
            )
    else:
        form = TurnForm(
            initial={"speaker": turn.get("speaker", ""), "text": turn["text"]}, auto_id=auto_id
        )
    context = {
        "transcript": transcript,
        "turn": _turn_rows(transcript)[index],
        "form": form,
    }
    if request.htmx:
        return render(request, "assistants/turn_edit.html#turn-form", context)
    return render(request, "assistants/turn_edit.html", context)


@require_POST
@login_required
def speaker_rename(request: AuthenticatedHttpRequest, transcript_id: int) -> HttpResponse:
    transcript = _get_transcript(request, transcript_id, edit=True)
    form = RenameSpeakerForm(request.POST, speakers=transcript.speakers)
    if form.is_valid():
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
        turns = [
            {**turn, "speaker": new} if turn.get("speaker", "") == old else turn
            for turn in transcript.turns
        ]
        changed = sum(a != b for a, b in zip(turns, transcript.turns, strict=True))
        services.transcript_update(transcript=transcript, turns=turns, by=request.user)
        messages.success(
            request, _("%(n)d turns now have the speaker %(name)s.") % {"n": changed, "name": new}
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("assistants:transcript-detail", transcript.pk)


@require_POST
@login_required
def transcript_delete(request: AuthenticatedHttpRequest, transcript_id: int) -> HttpResponse:
    transcript = _get_transcript(request, transcript_id, edit=True)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that the transcript is to be deleted."))
        return redirect("assistants:transcript-detail", transcript.pk)
    services.transcript_delete(transcript=transcript, by=request.user)
    messages.success(request, _("The transcript was deleted."))
    return redirect("assistants:index")
