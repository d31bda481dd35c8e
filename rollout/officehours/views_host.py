"""Office-hour pages for hosts: publish and edit, cancel, the agenda, questions → FAQ."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import HOSTS, role_required
from rollout.faq.services import FaqError, faq_entry_from_office_hour
from rollout.models import Booking, OfficeHour, OfficeHourSlot
from rollout.officehours import selectors as reads
from rollout.officehours.forms import FaqFromBookingForm, OfficeHourForm
from rollout.officehours.services import (
    OfficeHourError,
    officehour_cancel,
    officehour_managed_by,
    officehour_rhythm,
    officehour_save,
    slot_cancel,
)
from rollout.officehours.views import paging, start_day


def _managed(request: AuthenticatedHttpRequest, officehour_id: int) -> OfficeHour:
    """Return the office hour for its host and programme admins; 403 for everyone else."""
    office_hour = get_object_or_404(OfficeHour.objects.select_related("host"), pk=officehour_id)
    if not officehour_managed_by(office_hour, request.user):
        raise PermissionDenied  # office hours are public: others know it exists
    return office_hour


def _saved_message(request: AuthenticatedHttpRequest, created: int, kept: int) -> None:
    text = ngettext(
        "The office hour was saved; %(n)s new slot was created.",
        "The office hour was saved; %(n)s new slots were created.",
        created,
    ) % {"n": created}
    if kept:
        text += " " + ngettext(
            "%(n)s booked slot keeps its time.", "%(n)s booked slots keep their time.", kept
        ) % {"n": kept}
    messages.success(request, text)


@role_required(*HOSTS)
def officehour_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OfficeHourForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        office_hour, created, _kept = officehour_save(
            office_hour=None, by=request.user, **form.cleaned_data
        )
        _saved_message(request, created, 0)
        return redirect("rollout:officehour-detail", office_hour.pk)
    return render(request, "rollout/officehours/form.html", {"form": form, "office_hour": None})


@login_required
def officehour_edit(request: AuthenticatedHttpRequest, officehour_id: int) -> HttpResponse:
    office_hour = _managed(request, officehour_id)
    if not office_hour.active:
        messages.error(request, _("This office hour was cancelled."))
        return redirect("rollout:officehour-detail", office_hour.pk)
    form = OfficeHourForm(request.POST or None, instance=office_hour)
    if request.method == "POST" and form.is_valid():
        try:
            _saved, created, kept = officehour_save(
                office_hour=office_hour, by=request.user, **form.cleaned_data
            )
        except OfficeHourError as e:
            form.add_error(None, str(e))
        else:
            _saved_message(request, created, kept)
            return redirect("rollout:officehour-detail", office_hour.pk)
    office_hour.refresh_from_db()  # the form changed the instance in memory
    context = {"form": form, "office_hour": office_hour}
    return render(request, "rollout/officehours/form.html", context)


def _back(request: AuthenticatedHttpRequest, office_hour: OfficeHour) -> HttpResponse:
    if request.POST.get("back") == "agenda" and office_hour.host_id == request.user.pk:
        return redirect("rollout:officehour-agenda")
    return redirect("rollout:officehour-detail", office_hour.pk)


@require_POST
@login_required
def officehour_cancel_view(request: AuthenticatedHttpRequest, officehour_id: int) -> HttpResponse:
    office_hour = _managed(request, officehour_id)
    try:
        cancelled = officehour_cancel(office_hour=office_hour, by=request.user)
    except OfficeHourError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            ngettext(
                "The office hour is cancelled; %(n)s person with a booking is told.",
                "The office hour is cancelled; %(n)s people with a booking are told.",
                cancelled,
            )
            % {"n": cancelled},
        )
    return redirect("rollout:officehour-detail", office_hour.pk)


@require_POST
@login_required
def slot_cancel_view(request: AuthenticatedHttpRequest, slot_id: int) -> HttpResponse:
    slot = get_object_or_404(OfficeHourSlot.objects.select_related("office_hour"), pk=slot_id)
    if not officehour_managed_by(slot.office_hour, request.user):
        raise PermissionDenied
    try:
        cancelled = slot_cancel(slot=slot, by=request.user)
    except OfficeHourError as e:
        messages.error(request, str(e))
    else:
        if cancelled:
            messages.success(request, _("The slot is cancelled; the person who booked it is told."))
        else:
            messages.success(request, _("The slot is cancelled."))
    return _back(request, slot.office_hour)


@role_required(*HOSTS)
def agenda(request: AuthenticatedHttpRequest) -> HttpResponse:
    start = start_day(request.GET.get("ab"))
    mine = OfficeHour.objects.filter(host=request.user).order_by("-active", "first_date")
    context = {
        "days": reads.agenda(request.user, start=start),
        "office_hours": [(o, officehour_rhythm(o)) for o in mine],
        **paging(start),
    }
    return render(request, "rollout/officehours/agenda.html", context)


@role_required(*HOSTS)
def booking_faq(request: AuthenticatedHttpRequest, booking_id: int) -> HttpResponse:
    """Turn a question raised in a booked slot into an FAQ entry (the host only)."""
    booking = get_object_or_404(
        Booking.objects.select_related("slot__office_hour", "user"),
        pk=booking_id,
        cancelled_at__isnull=True,
    )
    if booking.slot.office_hour.host_id != request.user.pk:
        raise Http404  # nobody but the host learns the topic
    form = FaqFromBookingForm(request.POST or None, initial={"question": booking.topic})
    if request.method == "POST" and form.is_valid():
        try:
            entry = faq_entry_from_office_hour(by=request.user, **form.cleaned_data)
        except FaqError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The question is now in the FAQ."))
            return redirect("rollout:faq-entry", entry.pk)
    return render(request, "rollout/officehours/faq.html", {"form": form, "booking": booking})
