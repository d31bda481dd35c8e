"""Office hours: hosts publish them, their slots are generated as rows, hosts cancel.

Slots fall at `start_time` local time (the portal's time zone, Europe/Berlin by default) on
`first_date`, and for weekly office hours every `interval_weeks` weeks after it (the dates
come from the series generator of the events), so a 14:00 office hour stays at 14:00 across
the change to and from daylight-saving time. A weekly office hour gets its slots 90 days
ahead; the nightly task (`office_hour_slots_generate`) extends them.

Generation only adds what is missing: the insert is ON CONFLICT DO NOTHING on
(office_hour, starts_at) under a lock on the office hour, so two runs add each slot once,
a slot the host cancelled is never brought back, and no new slot overlaps a kept one.

Editing: when the schedule changes, future slots that nobody has booked follow the new
schedule (they are replaced); booked slots stay as they are, so nobody loses a booking or
finds it moved. Room, link and topic live on the office hour and change for every slot;
people with a booking get an updated .ics.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.roles import HOSTS, Role
from portal.services import audit_record
from rollout.events.series import series_rhythm, series_slots
from rollout.models import Booking, OfficeHour, OfficeHourSlot

HORIZON_DAYS = 90  # slots of weekly office hours are created this far ahead
SCHEDULE_FIELDS = {
    "first_date",
    "start_time",
    "end_time",
    "slot_minutes",
    "weekly",
    "interval_weeks",
    "until",
}
# Changes of these fields are news for people with a booking: they get an updated .ics.
NEWS_FIELDS = {"topic", "location", "online_url"}


class OfficeHourError(Exception):
    """The office hour or slot cannot be changed like this; the message says why."""


def can_host(user: User) -> bool:
    return user.is_authenticated and user.has_role(*HOSTS)


def officehour_managed_by(office_hour: OfficeHour, user: User) -> bool:
    """True for the host and programme admins (edit, cancel slots or the whole office hour)."""
    return user.is_authenticated and (
        office_hour.host_id == user.pk or user.has_role(Role.PROGRAMME_ADMIN)
    )


def _active_booking() -> Exists:
    return Exists(Booking.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True))


def slot_times(office_hour: OfficeHour, day: date) -> list[tuple[datetime, datetime]]:
    """Return (start, end) in UTC of the slots on `day`: wall-clock steps, localised each."""
    tz = timezone.get_default_timezone()
    step = timedelta(minutes=office_hour.slot_minutes)
    start = datetime.combine(day, office_hour.start_time)
    end = datetime.combine(day, office_hour.end_time)
    times = []
    while start + step <= end:
        starts = start.replace(tzinfo=tz).astimezone(UTC)
        times.append((starts, starts + step))  # the length is real time, not wall-clock time
        start += step
    return times


def office_hour_days(office_hour: OfficeHour, *, last_day: date) -> list[date]:
    """Return the office hour's dates up to `last_day`; a one-off has its one date."""
    if not office_hour.weekly:
        return [office_hour.first_date]
    return series_slots(office_hour, last_day=last_day)  # same rule as an event series


def slot_rows(office_hour: OfficeHour, days: list[date]) -> list[OfficeHourSlot]:
    """Return unsaved slots of `office_hour` on `days` (the demo data uses it for past days)."""
    return [
        OfficeHourSlot(office_hour=office_hour, starts_at=starts, ends_at=ends)
        for day in days
        for starts, ends in slot_times(office_hour, day)
    ]


@transaction.atomic
def officehour_generate(office_hour: OfficeHour, *, horizon_days: int = HORIZON_DAYS) -> int:
    """Create the missing future slots up to the horizon; return how many are new."""
    office_hour = OfficeHour.objects.select_for_update().get(pk=office_hour.pk)
    if not office_hour.active:
        return 0
    now = timezone.now()
    today = timezone.localdate(now)
    days = office_hour_days(office_hour, last_day=today + timedelta(days=horizon_days))
    wanted = [
        s for s in slot_rows(office_hour, [d for d in days if d >= today]) if s.starts_at > now
    ]
    slots = OfficeHourSlot.objects.filter(office_hour=office_hour)
    existing = list(slots.filter(ends_at__gt=now).values_list("starts_at", "ends_at", "cancelled"))
    starts = {s for s, _e, _c in existing}
    kept = [(s, e) for s, e, cancelled in existing if not cancelled]
    new = [
        slot
        for slot in wanted
        if slot.starts_at not in starts
        and not any(s < slot.ends_at and slot.starts_at < e for s, e in kept)
    ]
    before = slots.count()
    OfficeHourSlot.objects.bulk_create(new, ignore_conflicts=True)
    return slots.count() - before


def running_office_hours() -> QuerySet[OfficeHour]:
    """Active office hours that may still have slots to come."""
    today = timezone.localdate()
    return OfficeHour.objects.filter(active=True).filter(
        Q(weekly=True, until__isnull=True)
        | Q(weekly=True, until__gte=today)
        | Q(first_date__gte=today)
    )


def officehour_generate_all() -> int:
    """Extend every office hour that may still have slots to come (the nightly task)."""
    return sum(officehour_generate(o) for o in running_office_hours().only("pk"))


def _replace_unbooked_slots(office_hour: OfficeHour) -> int:
    """Delete future slots without an active booking; return how many booked ones stay.

    The slots are locked first: a booking in flight holds a lock on its slot, so it either
    commits before (and its slot stays) or finds the slot gone afterwards ("no longer
    offered").
    Slots the host cancelled stay too, so the new schedule does not bring them back.
    A slot whose bookings were all cancelled goes with them (the cancellation is in the
    audit log).
    """
    future = OfficeHourSlot.objects.filter(
        office_hour=office_hour, starts_at__gt=timezone.now(), cancelled=False
    )
    list(future.select_for_update().values_list("pk", flat=True))
    future.exclude(_active_booking()).delete()
    return future.filter(_active_booking()).count()


@transaction.atomic
def officehour_save(
    *, office_hour: OfficeHour | None, by: User, **fields: Any
) -> tuple[OfficeHour, int, int]:
    """Publish or change an office hour; return it, the new slots and the booked slots kept."""
    created = office_hour is None
    if created:
        current = OfficeHour(host=fields.pop("host", by))
    else:
        current = OfficeHour.objects.select_for_update().get(pk=office_hour.pk)
        if not current.active:
            raise OfficeHourError(_("This office hour was cancelled."))
    changed = sorted(n for n, v in fields.items() if getattr(current, n) != v)
    for name, value in fields.items():
        setattr(current, name, value)
    if not current.weekly:  # a one-off has no rhythm
        current.interval_weeks, current.until = 1, None
    current.save()
    kept = 0
    if not created and SCHEDULE_FIELDS & set(changed):
        kept = _replace_unbooked_slots(current)
    if not created and NEWS_FIELDS & set(changed):
        _mail_booked(current, "changed")
    audit_record(
        actor=by,
        action="officehour.created" if created else "officehour.changed",
        target=current,
        details={} if created else {"fields": changed},
    )
    return current, officehour_generate(current), kept


def _mail_booked(office_hour: OfficeHour, kind: str) -> None:
    from rollout.officehours.booking import booking_mail_later

    coming = Booking.objects.filter(
        slot__office_hour=office_hour, cancelled_at__isnull=True, slot__ends_at__gt=timezone.now()
    )
    for booking_id in coming.values_list("pk", flat=True):
        booking_mail_later(booking_id, kind)


def _cancel_bookings(slot_ids: list[int]) -> int:
    """Cancel the active bookings of `slots` (locked rows) and mail each person."""
    from rollout.officehours.booking import booking_mail_later

    bookings = Booking.objects.select_for_update().filter(
        slot__in=slot_ids, cancelled_at__isnull=True
    )
    ids = list(bookings.values_list("pk", flat=True))
    Booking.objects.filter(pk__in=ids).update(cancelled_at=timezone.now())
    for booking_id in ids:
        booking_mail_later(booking_id, "cancelled_by_host")
    return len(ids)


@transaction.atomic
def slot_cancel(*, slot: OfficeHourSlot, by: User) -> int:
    """Cancel one slot; a person who booked it is told. Return the bookings cancelled."""
    current = OfficeHourSlot.objects.select_for_update().get(pk=slot.pk)
    if current.cancelled:
        raise OfficeHourError(_("This slot was already cancelled."))
    if current.starts_at <= timezone.now():
        raise OfficeHourError(_("This slot has already begun."))
    current.cancelled = True
    current.save(update_fields=["cancelled"])
    cancelled = _cancel_bookings([current.pk])
    audit_record(
        actor=by,
        action="officehour.slot_cancelled",
        target=current.office_hour,
        details={"slot": current.pk, "bookings": cancelled},
    )
    return cancelled


@transaction.atomic
def officehour_cancel(*, office_hour: OfficeHour, by: User) -> int:
    """Cancel the whole office hour: no new slots, future slots and bookings cancelled."""
    current = OfficeHour.objects.select_for_update().get(pk=office_hour.pk)
    if not current.active:
        raise OfficeHourError(_("This office hour was already cancelled."))
    current.active = False
    current.save(update_fields=["active"])
    future = OfficeHourSlot.objects.select_for_update().filter(
        office_hour=current, starts_at__gt=timezone.now(), cancelled=False
    )
    ids = list(future.values_list("pk", flat=True))
    OfficeHourSlot.objects.filter(pk__in=ids).update(cancelled=True)
    cancelled = _cancel_bookings(ids)
    audit_record(
        actor=by, action="officehour.cancelled", target=current, details={"bookings": cancelled}
    )
    return cancelled


def officehour_rhythm(office_hour: OfficeHour) -> str:
    """Describe when: "every second Tuesday, 10:00" or a date, with the end time and slots."""
    if office_hour.weekly:
        when = series_rhythm(office_hour)  # same wording as the event series
    else:
        day = formats.date_format(office_hour.first_date, "DATE_FORMAT")
        when = f"{day}, {formats.time_format(office_hour.start_time, 'TIME_FORMAT')}"
    until = formats.time_format(office_hour.end_time, "TIME_FORMAT")
    return _("%(when)s until %(until)s, slots of %(n)s minutes") % {
        "when": when,
        "until": until,
        "n": office_hour.slot_minutes,
    }
