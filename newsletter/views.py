"""The newsletter for readers: the archive, one issue, the subscription switch, unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletter.models import Issue
from newsletter.services.message import content
from newsletter.services.tokens import (
    is_subscribed,
    subscription_set,
    user_from_unsubscribe_token,
)
from portal.http import AuthenticatedHttpRequest
from portal.roles import Role


def _sent() -> QuerySet[Issue]:
    return Issue.objects.filter(status=Issue.Status.SENT).order_by("-sent_at", "-pk")


@login_required
def archive(request: AuthenticatedHttpRequest) -> HttpResponse:
    english = translation.get_language() == "en"
    issues = list(_sent().only("pk", "subject_de", "subject_en", "body_en", "sent_at"))
    for issue in issues:
        issue.shown_subject = (
            issue.subject_en if english and issue.body_en.strip() else issue.subject_de
        )
    return render(
        request,
        "newsletter/archive.html",
        {
            "issues": issues,
            "subscribed": is_subscribed(request.user),
            "can_compose": request.user.has_role(Role.PROGRAMME_ADMIN),
        },
    )


@login_required
def issue_detail(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    # Drafts and scheduled issues are nobody's business before they go out, admins included.
    issue = get_object_or_404(_sent(), pk=issue_id)
    shown = content(issue, translation.get_language() or "de")
    return render(
        request,
        "newsletter/issue.html",
        {
            "issue": issue,
            "shown": shown,
            "body": mark_safe(shown.html),  # noqa: S308 - raw HTML off and nh3-cleaned
            "fallback": translation.get_language() == "en" and shown.language != "en",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        subscribed = request.POST.get("subscribed") == "1"
        subscription_set(user=request.user, subscribed=subscribed, by=request.user)
        if subscribed:
            messages.success(request, _("You receive the newsletter again."))
        else:
            messages.success(request, _("You no longer receive the newsletter."))
        return redirect("newsletter:preferences")
    return render(
        request, "newsletter/preferences.html", {"subscribed": is_subscribed(request.user)}
    )


# RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session or CSRF token;
# the signed token in the URL is the authorisation.
@csrf_exempt
@never_cache  # signed out, yet the page names the person: no cache may keep it
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = user_from_unsubscribe_token(token)
    if user is None:
        raise Http404
    # Signed out, the page speaks the person's language, not the browser's.
    with translation.override(user.preferred_language or "de"):
        if request.method == "POST":
            subscription_set(user=user, subscribed=False, by=None)
            return render(request, "newsletter/unsubscribed.html", {"person": user})
        return render(request, "newsletter/unsubscribe.html", {"person": user, "token": token})
