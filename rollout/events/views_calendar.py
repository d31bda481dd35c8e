"""The personal calendar feed: its page (signed in) and the feed itself (secret URL)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.http import AuthenticatedHttpRequest
from rollout.events.calendar import (
    calendar_token_replace,
    calendar_token_revoke,
    feed_render,
    feed_user,
)
from rollout.models import CalendarToken


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("rollout:calendar-feed", args=[token])


@login_required
def calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    token = CalendarToken.objects.filter(user=request.user).first()
    return render(
        request,
        "rollout/calendar.html",
        {"token": token, "feed_url": feed_url(token.token) if token else ""},
    )


@require_POST
@login_required
def calendar_token_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    existed = CalendarToken.objects.filter(user=request.user).exists()
    calendar_token_replace(user=request.user)
    if existed:
        messages.success(
            request, _("Your calendar has a new address; the old one no longer works.")
        )
    else:
        messages.success(request, _("Your calendar address is ready."))
    return redirect("rollout:calendar")


@require_POST
@login_required
def calendar_token_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    if calendar_token_revoke(user=request.user):
        messages.success(
            request, _("Your calendar address is deleted; subscriptions to it get nothing more.")
        )
    return redirect("rollout:calendar")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve the feed without a login (calendar apps cannot log in); the token is the key."""
    user = feed_user(token)
    if user is None:
        raise Http404
    with translation.override(user.preferred_language):
        body = feed_render(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
