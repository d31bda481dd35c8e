"""Office-hour pages for everyone: free slots, booking, my bookings, cancel and rebook."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from rollout.models import Booking, OfficeHour, OfficeHourSlot
from rollout.officehours import selectors as reads
from rollout.officehours.booking import (
    BookingError,
    booking_cancel,
    booking_cancel_allowed,
    booking_create,
    booking_rebook,
)
from rollout.officehours.forms import BookingForm, RebookForm
from rollout.officehours.services import (
    can_host,
    officehour_managed_by,
    officehour_rhythm,
    running_office_hours,
)


def start_day(value: str | None) -> date:
    """Return the first day of the shown window: `?ab=YYYY-MM-DD`, never before today."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return today
    return max(today, min(day, today + timedelta(days=400)))


def paging(start: date) -> dict:
    today = timezone.localdate()
    earlier = max(today, start - timedelta(days=reads.WINDOW_DAYS))
    return {
        "start": start,
        "end": start + timedelta(days=reads.WINDOW_DAYS - 1),
        "next_start": start + timedelta(days=reads.WINDOW_DAYS),
        "prev_start": earlier if start > today else None,
    }


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


def _running() -> list[tuple[OfficeHour, str]]:
    running = running_office_hours().select_related("host").order_by("topic")
    return [(o, officehour_rhythm(o)) for o in running]


@login_required
def officehour_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    start = start_day(request.GET.get("ab"))
    query = " ".join(request.GET.get("q", "").replace("\x00", " ").split())[:100]  # no NUL in SQL
    host_id = _int(request.GET.get("host"))
    context = {
        "days": reads.free_slots(start=start, query=query, host_id=host_id),
        "query": query,
        "host_id": host_id,
        "hosts": list(reads.hosts_offering()),
        "office_hours": _running(),
        "can_host": can_host(request.user),
        "extra": urlencode({k: v for k, v in (("q", query), ("host", host_id)) if v}),
        **paging(start),
    }
    return render(request, "rollout/officehours/list.html", context)


@login_required
def officehour_detail(request: AuthenticatedHttpRequest, officehour_id: int) -> HttpResponse:
    office_hour = get_object_or_404(OfficeHour.objects.select_related("host"), pk=officehour_id)
    start = start_day(request.GET.get("ab"))
    manages = officehour_managed_by(office_hour, request.user)
    days = reads.free_slots(start=start, office_hour_id=office_hour.pk)
    context = {
        "office_hour": office_hour,
        "rhythm": officehour_rhythm(office_hour),
        "days": days,
        "manages": manages,
        "is_host": office_hour.host_id == request.user.pk,
        "managed_days": reads.slots_of(office_hour, start=start) if manages else [],
        "mine": reads.next_bookings(request.user, limit=10, office_hour=office_hour),
        **paging(start),
    }
    return render(request, "rollout/officehours/detail.html", context)


def _why_not(slot: OfficeHourSlot, request: AuthenticatedHttpRequest) -> str:
    """Return why the slot cannot be booked from this page, or ""."""
    if slot.cancelled or not slot.office_hour.active:
        return _("This slot is no longer offered.")
    if slot.starts_at <= timezone.now():
        return _("This slot has already begun.")
    if slot.office_hour.host_id == request.user.pk:
        return _("You host this office hour.")
    if slot.bookings.filter(cancelled_at__isnull=True).exists():
        return _("This slot is already booked.")
    return ""


@login_required
def slot_book(request: AuthenticatedHttpRequest, slot_id: int) -> HttpResponse:
    slot = get_object_or_404(OfficeHourSlot.objects.select_related("office_hour__host"), pk=slot_id)
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_create(slot=slot, user=request.user, topic=form.cleaned_data["topic"])
        except BookingError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request,
                _("Your slot is booked. A confirmation with a calendar file is on its way."),
            )
            return redirect("rollout:officehour-bookings")
    unavailable = "" if form.errors else _why_not(slot, request)
    others = reads.free_slots(
        start=timezone.localdate(), office_hour_id=slot.office_hour_id, besides=slot.pk
    )
    context = {"slot": slot, "form": form, "unavailable": unavailable, "days": others[:3]}
    return render(request, "rollout/officehours/book.html", context)


@login_required
def booking_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    coming, earlier = reads.my_bookings(request.user)
    return render(
        request,
        "rollout/officehours/bookings.html",
        {"coming": coming, "earlier": earlier, "now": timezone.now()},
    )


def _visible_booking(request: AuthenticatedHttpRequest, booking_id: int) -> Booking:
    """Return the booking for the person who booked and those who manage the office hour."""
    booking = get_object_or_404(
        Booking.objects.select_related("slot__office_hour", "user"), pk=booking_id
    )
    if not booking_cancel_allowed(booking, request.user):
        raise Http404
    return booking


@require_POST
@login_required
def booking_cancel_view(request: AuthenticatedHttpRequest, booking_id: int) -> HttpResponse:
    booking = _visible_booking(request, booking_id)
    try:
        booking_cancel(booking=booking, by=request.user)
    except BookingError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The booking is cancelled; the slot is free again."))
    if booking.user_id == request.user.pk:
        return redirect("rollout:officehour-bookings")
    if booking.slot.office_hour.host_id == request.user.pk:
        return redirect("rollout:officehour-agenda")
    return redirect("rollout:officehour-detail", booking.slot.office_hour_id)


@login_required
def booking_rebook_view(request: AuthenticatedHttpRequest, booking_id: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("slot__office_hour__host"), pk=booking_id, user=request.user
    )
    live = booking.cancelled_at is None and not booking.slot.cancelled
    if not live or booking.slot.starts_at <= timezone.now():
        messages.error(request, _("Only coming bookings can be moved."))
        return redirect("rollout:officehour-bookings")
    form = RebookForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            slot = OfficeHourSlot.objects.filter(pk=form.cleaned_data["slot"]).first()
            try:
                if slot is None:
                    raise BookingError(_("This slot is no longer offered."))
                booking_rebook(booking=booking, slot=slot, by=request.user)
            except BookingError as e:
                messages.error(
                    request, _("Your booking was not changed: %(reason)s") % {"reason": e}
                )
            else:
                messages.success(
                    request, _("Your booking was moved. A new calendar file is on its way.")
                )
                return redirect("rollout:officehour-bookings")
        else:
            messages.error(request, _("Please choose one of the free slots."))
        return redirect("rollout:officehour-booking-rebook", booking.pk)
    start = start_day(request.GET.get("ab"))
    days = reads.free_slots(start=start, office_hour_id=booking.slot.office_hour_id)
    return render(
        request,
        "rollout/officehours/rebook.html",
        {"booking": booking, "days": days, **paging(start)},
    )
