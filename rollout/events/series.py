"""Recurring exchange formats: a series generates its sessions as ordinary events.

Sessions fall every `interval_weeks` weeks on the weekday of `first_date`, at `start_time`
local time (the portal's time zone, Europe/Berlin by default), so a 14:00 round stays at
14:00 across the change to and from daylight-saving time.

Generation is idempotent and never touches what exists: it only adds slots after the latest
session of the series (a session moved or deleted by hand is not brought back), and the
insert is ON CONFLICT DO NOTHING on (series, starts_at), so two runs at once add each once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.models import Event, EventSeries

HORIZON_DAYS = 90  # sessions are created this far ahead


def series_slots(series: EventSeries, *, last_day: date) -> list[date]:
    """Return the session dates from `first_date` to `last_day` (and `until`)."""
    if series.until is not None:
        last_day = min(last_day, series.until)
    step = timedelta(weeks=series.interval_weeks)
    slots, day = [], series.first_date
    while day <= last_day:
        slots.append(day)
        day += step
    return slots


def _session(series: EventSeries, day: date) -> Event:
    local = datetime.combine(day, series.start_time, tzinfo=timezone.get_default_timezone())
    starts = local.astimezone(UTC)  # the duration is real time, not wall-clock time
    return Event(
        series=series,
        kind=series.kind,
        title=series.title,
        description=series.description,
        phase_id=series.phase_id,
        host_id=series.host_id,
        location=series.location,
        online_url=series.online_url,
        capacity=series.capacity,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=series.duration_minutes),
    )


@transaction.atomic
def series_generate(series: EventSeries, *, horizon_days: int = HORIZON_DAYS) -> int:
    """Create the series' sessions from now up to the horizon; return how many are new."""
    series = EventSeries.objects.select_for_update().get(pk=series.pk)  # one generator at once
    if not series.active:
        return 0
    now = timezone.now()
    tz = timezone.get_default_timezone()
    sessions = Event.objects.filter(series=series)
    latest = sessions.aggregate(latest=Max("starts_at"))["latest"]
    after = latest.astimezone(tz).date() if latest is not None else None
    last_day = now.astimezone(tz).date() + timedelta(days=horizon_days)
    new = [
        session
        for day in series_slots(series, last_day=last_day)
        if after is None or day > after
        for session in [_session(series, day)]
        if session.starts_at > now
    ]
    before = sessions.count()
    Event.objects.bulk_create(new, ignore_conflicts=True)
    created = sessions.count() - before
    if created:
        audit_record(
            actor=None, action="event.series_generated", target=series, details={"new": created}
        )
    return created


def series_generate_all() -> int:
    return sum(
        series_generate(series) for series in EventSeries.objects.filter(active=True).only("pk")
    )


@transaction.atomic
def series_save(*, series: EventSeries | None, by: User, **fields: Any) -> tuple[EventSeries, int]:
    """Create or change a series and create its coming sessions right away.

    Sessions that exist keep their details; only sessions created from now on follow.
    """
    created = series is None
    series = series or EventSeries()
    for name, value in fields.items():
        setattr(series, name, value)
    series.save()
    audit_record(
        actor=by,
        action="event.series_created" if created else "event.series_changed",
        target=series,
    )
    return series, series_generate(series)


def series_rhythm(series: EventSeries) -> str:
    """Describe the rhythm, e.g. "every second Thursday, 14:00"."""
    day = WEEKDAYS[series.first_date.weekday()]
    patterns = {
        1: _("every %(day)s, %(time)s"),
        2: _("every second %(day)s, %(time)s"),
        3: _("every third %(day)s, %(time)s"),
        4: _("every fourth %(day)s, %(time)s"),
    }
    pattern = patterns.get(series.interval_weeks, _("every %(n)s weeks on %(day)s, %(time)s"))
    time = formats.time_format(series.start_time, "TIME_FORMAT")
    return pattern % {"day": day, "time": time, "n": series.interval_weeks}
