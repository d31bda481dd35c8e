"""Event pages: the programme's events, registering and cancelling, check-in by the host."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role
from rollout.events.series import series_rhythm
from rollout.events.services import (
    CHECK_IN_OPENS,
    RegistrationError,
    attendance_set,
    event_managed_by,
    registration_cancel,
    registration_create,
)
from rollout.models import Event, EventSeries, Registration

Status = Registration.Status
PAST_LIMIT = 100  # past events shown, newest first


@login_required
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in Event.Kind.values else ""
    past = request.GET.get("when") == "past"
    now = timezone.now()
    mine = Registration.objects.filter(user=request.user).exclude(status=Status.CANCELLED)
    events = Event.objects.select_related("host", "phase").prefetch_related(
        Prefetch("registrations", queryset=mine, to_attr="my_registrations")
    )
    if kind:
        events = events.filter(kind=kind)
    if past:
        events = events.filter(ends_at__lt=now).order_by("-starts_at")[:PAST_LIMIT]
    else:
        events = events.filter(ends_at__gte=now)
    series = [s for s in EventSeries.objects.filter(active=True) if not kind or s.kind == kind]
    rhythms = {s.pk: series_rhythm(s) for s in series}
    events = list(events)
    for event in events:
        event.rhythm = rhythms.get(event.series_id, "")
    return render(
        request,
        "rollout/event_list.html",
        {
            "events": events,
            "series": [(s, rhythms[s.pk]) for s in series],
            "kinds": Event.Kind.choices,
            "kind": kind,
            "past": past,
            "is_admin": request.user.has_role(Role.PROGRAMME_ADMIN),
        },
    )


def _attendees(event: Event) -> tuple[list[Registration], list[Registration]]:
    registrations = (
        Registration.objects.filter(event=event)
        .exclude(status=Status.CANCELLED)
        .select_related("user__department")
        .order_by("created_at", "pk")
    )
    confirmed = sorted(
        (r for r in registrations if r.status == Status.CONFIRMED), key=lambda r: r.user.name
    )
    waiting = [r for r in registrations if r.status == Status.WAITLISTED]
    return confirmed, waiting


@login_required
def event_detail(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("host", "phase"), pk=event_id)
    now = timezone.now()
    mine = (
        Registration.objects.filter(event=event, user=request.user)
        .exclude(status=Status.CANCELLED)
        .first()
    )
    position = None
    if mine is not None and mine.status == Status.WAITLISTED:
        position = Registration.objects.filter(
            event=event, status=mine.status, created_at__lte=mine.created_at
        ).count()
    manages = event_managed_by(event, request.user)
    confirmed, waiting = _attendees(event) if manages else ([], [])
    show_materials = manages or (mine is not None and mine.status == Status.CONFIRMED)
    return render(
        request,
        "rollout/event_detail.html",
        {
            "event": event,
            "mine": mine,
            "position": position,
            "now": now,
            "manages": manages,
            "is_admin": request.user.has_role(Role.PROGRAMME_ADMIN),
            "confirmed": confirmed,
            "waiting": waiting,
            "checked_in": sum(1 for r in confirmed if r.attended_at),
            "checkin_open": now >= event.starts_at - CHECK_IN_OPENS,
            "materials": list(event.materials.all()) if show_materials else [],
            "show_materials": show_materials,
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
        if registration.status == Status.CONFIRMED:
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
        Registration.objects.exclude(status=Status.CANCELLED),
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


@require_POST
@login_required
def event_attendance(
    request: AuthenticatedHttpRequest, event_id: int, registration_id: int
) -> HttpResponse:
    """Check a person in or undo it; answers htmx with the person's row."""
    event = get_object_or_404(Event, pk=event_id)
    if not event_managed_by(event, request.user):
        raise PermissionDenied
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    error = ""
    try:
        attendance_set(
            registration=registration,
            attended=request.POST.get("attended") == "1",
            by=request.user,
        )
    except RegistrationError as e:
        error = str(e)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("rollout:event-detail", event.pk)
    row = Registration.objects.select_related("user__department").get(pk=registration.pk)
    context = {
        "event": event,
        "r": row,
        "error": error,
        "checkin_open": timezone.now() >= event.starts_at - CHECK_IN_OPENS,
    }
    return render(request, "rollout/_event_attendee.html", context)
