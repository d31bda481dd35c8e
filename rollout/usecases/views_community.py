"""Votes, following, comments and files of a use case.

Votes and follows answer htmx with the small community fragment, else go back to the page.
Files are served as attachments to everyone signed in (use cases are visible to all), never
from a public URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from rollout.common.files import file_download
from rollout.models import UseCase, UseCaseAttachment, UseCaseComment
from rollout.usecases import community
from rollout.usecases.attachments import attachment_add, attachment_delete
from rollout.usecases.forms import AttachmentForm, CommentForm
from rollout.usecases.selectors import viewer_state
from rollout.usecases.services import UseCaseError
from rollout.usecases.views import get_use_case_to_edit, usecase_detail


def _community_response(request: AuthenticatedHttpRequest, use_case: UseCase) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "rollout/usecases/_community.html",
            {"use_case": use_case, "viewer": viewer_state(use_case, request.user)},
        )
    return redirect("rollout:usecase-detail", use_case.pk)


@require_POST
@login_required
def usecase_vote(request: AuthenticatedHttpRequest, use_case_id: int) -> HttpResponse:
    use_case = get_object_or_404(UseCase, pk=use_case_id)
    try:
        community.vote_toggle(use_case=use_case, by=request.user)
    except UseCaseError as e:
        messages.error(request, str(e))
    return _community_response(request, use_case)


@require_POST
@login_required
def usecase_follow(request: AuthenticatedHttpRequest, use_case_id: int) -> HttpResponse:
    use_case = get_object_or_404(UseCase, pk=use_case_id)
    community.follow_toggle(use_case=use_case, by=request.user)
    return _community_response(request, use_case)


@require_POST
@login_required
def usecase_comment(request: AuthenticatedHttpRequest, use_case_id: int) -> HttpResponse:
    """Add a comment; a bad one shows the page again with the error and the text kept."""
    use_case = get_object_or_404(UseCase, pk=use_case_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            community.comment_add(use_case=use_case, by=request.user, **form.cleaned_data)
        except UseCaseError as e:
            form.add_error("body", str(e))
        else:
            messages.success(request, _("Your comment was added."))
            return redirect("rollout:usecase-detail", use_case.pk)
    return usecase_detail(request, use_case.pk, comment_form=form)


@require_POST
@login_required
def usecase_comment_delete(
    request: AuthenticatedHttpRequest, use_case_id: int, comment_id: int
) -> HttpResponse:
    comment = get_object_or_404(UseCaseComment, pk=comment_id, use_case_id=use_case_id)
    try:
        community.comment_delete(comment=comment, by=request.user)
    except UseCaseError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The comment was deleted."))
    return redirect("rollout:usecase-detail", use_case_id)


@login_required
def attachment_new(request: AuthenticatedHttpRequest, use_case_id: int) -> HttpResponse:
    use_case = get_use_case_to_edit(request, use_case_id)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        attachment_add(
            use_case=use_case,
            by=request.user,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
        messages.success(request, _("The file was added."))
        return redirect("rollout:usecase-detail", use_case.pk)
    return render(
        request, "rollout/usecases/attachment_form.html", {"use_case": use_case, "form": form}
    )


@login_required
def attachment_download(
    request: AuthenticatedHttpRequest, use_case_id: int, attachment_id: int
) -> FileResponse:
    """Serve the file as an attachment, never inline (no sniffing, no shared caches)."""
    attachment = get_object_or_404(UseCaseAttachment, pk=attachment_id, use_case_id=use_case_id)
    return file_download(attachment.file)


@require_POST
@login_required
def attachment_remove(
    request: AuthenticatedHttpRequest, use_case_id: int, attachment_id: int
) -> HttpResponse:
    use_case = get_use_case_to_edit(request, use_case_id)
    attachment = get_object_or_404(UseCaseAttachment, pk=attachment_id, use_case=use_case)
    attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("The file was removed."))
    return redirect("rollout:usecase-detail", use_case.pk)
