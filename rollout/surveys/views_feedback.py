"""The anonymous feedback box: every employee writes; programme admins and the works council
read the messages by month and kind and mark them handled."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import OVERSIGHT, role_required
from rollout.models import FeedbackMessage
from rollout.surveys import feedback as service
from rollout.surveys.forms import FeedbackForm


@login_required
@sensitive_post_parameters()  # an error report must not carry the message next to the user
def feedback_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Take an anonymous message. The person is not passed on: the service never sees them."""
    data = request.POST if request.method == "POST" else None
    form = FeedbackForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            service.feedback_send(kind=form.cleaned_data["kind"], text=form.cleaned_data["text"])
        except service.FeedbackError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you! Your message has arrived, without your name."))
            return redirect("rollout:feedback-new")
    return render(request, "rollout/feedback/form.html", {"form": form})


def _month(raw: str) -> date | None:
    try:
        return date.fromisoformat(f"{raw}-01") if len(raw) == 7 else None
    except ValueError:
        return None


@role_required(*OVERSIGHT)
def feedback_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    month = _month(request.GET.get("month", ""))
    kind = request.GET.get("kind", "")
    kind = kind if kind in FeedbackMessage.Kind.values else ""
    state = request.GET.get("state", "open")
    handled = {"open": False, "handled": True}.get(state)
    found = service.feedback_messages(month=month, kind=kind, handled=handled)
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "rollout/feedback/list.html",
        {
            "page": page,
            "months": service.feedback_months(),
            "month": month,
            "kinds": FeedbackMessage.Kind.choices,
            "kind": kind,
            "state": state if handled is not None else "all",
            "query": request.GET.urlencode(),
        },
    )


@require_POST
@role_required(*OVERSIGHT)
def feedback_mark(request: AuthenticatedHttpRequest, message_id: UUID) -> HttpResponse:
    handled = request.POST.get("handled") == "1"
    try:
        service.feedback_mark(message_id=message_id, handled=handled, by=request.user)
    except FeedbackMessage.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Marked as handled.") if handled else _("Marked as open again."))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("rollout:feedback-list")
