"""Event pages: the programme's events, registering and cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from rollout.models import Event, Registration
from rollout.services.events import RegistrationError, registration_cancel, registration_create


@login_required
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = Registration.objects.filter(user=request.user).exclude(
        status=Registration.Status.CANCELLED
    )
    events = (
        Event.objects.filter(ends_at__gte=timezone.now())
        .select_related("host", "phase")
        .prefetch_related(Prefetch("registrations", queryset=mine, to_attr="my_registrations"))
    )
    return render(request, "rollout/event_list.html", {"events": events})


@login_required
def event_detail(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("host", "phase"), pk=event_id)
    mine = (
        Registration.objects.filter(event=event, user=request.user)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    position = None
    if mine is not None and mine.status == Registration.Status.WAITLISTED:
        position = Registration.objects.filter(
            event=event, status=mine.status, created_at__lte=mine.created_at
        ).count()
    return render(
        request,
        "rollout/event_detail.html",
        {
            "event": event,
            "mine": mine,
            "position": position,
            "now": timezone.now(),
        },
    )


@require_POST
@login_required
def event_register(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    try:
        registration = registration_create(event=event, user=request.user)
    except RegistrationError as e:
        messages.error(request, str(e))
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(request, _("You are registered."))
        else:
            messages.info(
                request,
                _(
                    "The event is full: you are on the waiting list and move up "
                    "automatically when a seat frees."
                ),
            )
    return redirect("rollout:event-detail", event.pk)


@require_POST
@login_required
def event_cancel(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.exclude(status=Registration.Status.CANCELLED),
        event_id=event_id,
        user=request.user,
    )
    try:
        registration_cancel(registration=registration, by=request.user)
    except RegistrationError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("rollout:event-detail", event_id)
