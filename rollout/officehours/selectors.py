"""Reads of the office hours: free slots by day, a person's bookings, a host's agenda."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from portal.models import User
from rollout.models import Booking, OfficeHour, OfficeHourSlot

WINDOW_DAYS = 14  # the free-slot list and the agenda show two weeks at a time
PAST_BOOKINGS = 10  # past bookings shown under "my bookings"


@dataclass
class OfficeHourSlots:
    office_hour: OfficeHour
    slots: list[OfficeHourSlot] = field(default_factory=list)


@dataclass
class Day:
    day: date
    groups: list[OfficeHourSlots] = field(default_factory=list)


def window(start: date) -> tuple[datetime, datetime]:
    """Return the UTC bounds of WINDOW_DAYS local days from `start`."""
    tz = timezone.get_default_timezone()
    first = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    last = datetime.combine(start + timedelta(days=WINDOW_DAYS), datetime.min.time(), tzinfo=tz)
    return first, last


def _live_booking() -> Exists:
    return Exists(Booking.objects.filter(slot=OuterRef("pk"), cancelled_at__isnull=True))


def free_slots_qs() -> QuerySet[OfficeHourSlot]:
    """Future slots that are offered and not booked."""
    return (
        OfficeHourSlot.objects.filter(
            cancelled=False, office_hour__active=True, starts_at__gt=timezone.now()
        )
        .exclude(_live_booking())
        .select_related("office_hour__host")
    )


def _by_day(slots: list[OfficeHourSlot]) -> list[Day]:
    """Group slots (ordered by start) by local day, then by office hour (first slot first)."""
    days = []
    for day, of_day in groupby(slots, key=lambda s: timezone.localdate(s.starts_at)):
        groups: dict[int, OfficeHourSlots] = {}
        for slot in of_day:
            groups.setdefault(slot.office_hour_id, OfficeHourSlots(slot.office_hour))
            groups[slot.office_hour_id].slots.append(slot)
        days.append(Day(day, list(groups.values())))
    return days


def free_slots(
    *,
    start: date,
    query: str = "",
    host_id: int | None = None,
    office_hour_id: int | None = None,
    besides: int | None = None,
) -> list[Day]:
    """Return the free slots of WINDOW_DAYS days from `start`, by day and office hour.

    `besides`: a slot to leave out (the one on the page already).
    """
    first, last = window(start)
    slots = free_slots_qs().filter(starts_at__gte=first, starts_at__lt=last).exclude(pk=besides)
    if query:
        slots = slots.filter(
            Q(office_hour__topic__icontains=query) | Q(office_hour__description__icontains=query)
        )
    if host_id:
        slots = slots.filter(office_hour__host_id=host_id)
    if office_hour_id:
        slots = slots.filter(office_hour_id=office_hour_id)
    return _by_day(list(slots.order_by("starts_at", "office_hour__topic", "pk")))


def hosts_offering() -> QuerySet[User]:
    """People with an active office hour (the host filter)."""
    return User.objects.filter(office_hours__active=True).distinct().order_by("name")


def my_bookings(user: User) -> tuple[list[Booking], list[Booking]]:
    """Return the person's coming live bookings and their latest past or cancelled ones."""
    now = timezone.now()
    mine = Booking.objects.filter(user=user).select_related("slot__office_hour__host")
    coming = mine.filter(cancelled_at__isnull=True, slot__cancelled=False, slot__ends_at__gt=now)
    earlier = mine.exclude(pk__in=coming.values("pk")).order_by("-slot__starts_at", "-pk")
    return list(coming.order_by("slot__starts_at")), list(earlier[:PAST_BOOKINGS])


def _with_bookings(slots: QuerySet[OfficeHourSlot], start: date) -> list[Day]:
    """Return `slots` of WINDOW_DAYS days from `start` (from now on), each with `.booking`:
    its live booking with the person, or None."""
    first, last = window(start)
    live = Booking.objects.filter(cancelled_at__isnull=True).select_related("user__department")
    slots = (
        slots.filter(ends_at__gt=timezone.now(), starts_at__gte=first, starts_at__lt=last)
        .select_related("office_hour__host")
        .prefetch_related(Prefetch("bookings", queryset=live, to_attr="live"))
        .order_by("starts_at", "office_hour__topic", "pk")
    )
    slots = list(slots)
    for slot in slots:
        slot.booking = slot.live[0] if slot.live else None
    return _by_day(slots)


def agenda(host: User, *, start: date) -> list[Day]:
    """Return the host's slots (booked, free, cancelled) by day, with the bookings."""
    return _with_bookings(OfficeHourSlot.objects.filter(office_hour__host=host), start)


def slots_of(office_hour: OfficeHour, *, start: date) -> list[Day]:
    """Return one office hour's slots by day, with the bookings (for those who manage it)."""
    return _with_bookings(OfficeHourSlot.objects.filter(office_hour=office_hour), start)


def next_bookings(
    user: User, limit: int = 3, office_hour: OfficeHour | None = None
) -> list[Booking]:
    """Return the person's next live bookings (home card; one office hour's page)."""
    coming = Booking.objects.filter(
        user=user,
        cancelled_at__isnull=True,
        slot__cancelled=False,
        slot__ends_at__gt=timezone.now(),
    )
    if office_hour is not None:
        coming = coming.filter(slot__office_hour=office_hour)
    return list(
        coming.select_related("slot__office_hour__host").order_by("slot__starts_at")[:limit]
    )


def next_hosted(host: User, limit: int = 3) -> list[Booking]:
    """Return the next live bookings of the host's slots (home card)."""
    return list(
        Booking.objects.filter(
            slot__office_hour__host=host,
            cancelled_at__isnull=True,
            slot__cancelled=False,
            slot__ends_at__gt=timezone.now(),
        )
        .select_related("slot__office_hour", "user")
        .order_by("slot__starts_at")[:limit]
    )
