"""Sending an issue (programme admins): recipients, test mail, schedule, send, status."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from newsletter.forms import ScheduleForm
from newsletter.models import Delivery, Issue
from newsletter.services import issues as service
from newsletter.services.recipients import recipient_count, recipients
from newsletter.services.sending import SendError, issue_send_start, send_test
from newsletter.views_compose import ADMINS
from portal.http import AuthenticatedHttpRequest
from portal.roles import role_required

FIRST_NAMES = 20


def _issue(issue_id: int) -> Issue:
    return get_object_or_404(Issue.objects.select_related("event"), pk=issue_id)


def _send_page(
    request: AuthenticatedHttpRequest, issue: Issue, schedule_form: ScheduleForm | None = None
) -> HttpResponse:
    initial = {"scheduled_for": issue.scheduled_for} if issue.scheduled_for else {}
    return render(
        request,
        "newsletter/send.html",
        {
            "issue": issue,
            "count": recipient_count(issue),
            "first": recipients(issue).only("name", "email")[:FIRST_NAMES],
            "first_limit": FIRST_NAMES,
            "departments": issue.departments.order_by("name"),
            "schedule_form": schedule_form or ScheduleForm(initial=initial),
            "confirm": request.GET.get("jetzt") == "1",
        },
    )


@role_required(*ADMINS)
def issue_send(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    """GET: the recipients and the actions; POST (after the confirmation step): send now."""
    issue = _issue(issue_id)
    if issue.status not in service.EDITABLE:
        return redirect("newsletter:issue-status", issue.pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            return redirect(f"{request.path}?jetzt=1")
        try:
            count = issue_send_start(issue, by=request.user)
        except service.IssueError as e:
            messages.error(request, str(e))
            return redirect("newsletter:manage")
        messages.success(
            request, _("Sending has started: %(count)d recipients.") % {"count": count}
        )
        return redirect("newsletter:issue-status", issue.pk)
    return _send_page(request, issue)


@require_POST
@role_required(*ADMINS)
def issue_test(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    if not request.user.email:
        messages.error(request, _("Your account has no email address."))
    else:
        try:
            send_test(issue, to_user=request.user)
        except SendError as e:
            messages.error(request, str(e))
        else:
            messages.success(
                request,
                _("A test mail is on its way to %(email)s.") % {"email": request.user.email},
            )
    return redirect("newsletter:issue-send", issue.pk)


@require_POST
@role_required(*ADMINS)
def issue_schedule(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            service.issue_schedule(
                issue=issue, when=form.cleaned_data["scheduled_for"], by=request.user
            )
        except service.IssueError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The issue is scheduled."))
            return redirect("newsletter:issue-send", issue.pk)
    return _send_page(request, issue, form)


def _step(request: AuthenticatedHttpRequest, issue_id: int, step, done: str) -> HttpResponse:
    issue = _issue(issue_id)
    try:
        step(issue=issue, by=request.user)
    except service.IssueError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done)
    return redirect("newsletter:manage")


@require_POST
@role_required(*ADMINS)
def issue_unschedule(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    return _step(
        request,
        issue_id,
        service.issue_unschedule,
        _("The schedule is cancelled; it is a draft again."),
    )


@require_POST
@role_required(*ADMINS)
def issue_cancel(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    return _step(request, issue_id, service.issue_cancel, _("The issue is discarded."))


@role_required(*ADMINS)
def issue_status(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in issue.deliveries.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    failed = issue.deliveries.filter(status=Delivery.Status.FAILED).only(
        "email", "error", "attempts"
    )
    context = {
        "issue": issue,
        "counts": [(Delivery.Status(s).label, s, n) for s, n in counts.items()],
        "total": sum(counts.values()),
        "failed": failed,
        "running": issue.status == Issue.Status.SENDING,
    }
    if request.htmx:
        return render(request, "newsletter/status.html#delivery-status", context)
    return render(request, "newsletter/status.html", context)
