"""What the office hours plug into the rest of the portal (called from AppConfig.ready()).

- the personal calendar feed: booked slots (for the person and for the host),
- the reminder mail before a booked slot,
- the multiplier directory's "office-hour slots held" counter,
- the audit log's names for the office-hour actions,
- the office-hour lines of the steering-committee report,
- the home card "your next booking" / "your agenda" (`officehour_cards`),
- the navigation entry.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.http import AuthenticatedHttpRequest
from portal.registry import HomeCard, NavItem

AUDIT_LABELS = {
    "officehour.created": _("Office hour published"),
    "officehour.changed": _("Office hour changed"),
    "officehour.cancelled": _("Office hour cancelled"),
    "officehour.slot_cancelled": _("Office-hour slot cancelled"),
    "officehour.booked": _("Office-hour slot booked"),
    "officehour.booking_cancelled": _("Office-hour booking cancelled"),
    "officehour.rebooked": _("Office-hour booking moved"),
}


def slots_held(user_ids: Sequence[int]) -> dict[int, int]:
    """Return, per host, the past slots that somebody had booked (one query)."""
    from rollout.models import OfficeHourSlot

    rows = (
        OfficeHourSlot.objects.filter(
            office_hour__host_id__in=user_ids,
            cancelled=False,
            ends_at__lt=timezone.now(),
            bookings__cancelled_at__isnull=True,
        )
        .values("office_hour__host_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("office_hour__host_id", "n")
    )
    return dict(rows)


def officehour_facts() -> list[tuple[str, list[str]]]:
    """Return German lines for the steering-committee report: use of the office hours."""
    from datetime import timedelta

    from rollout.models import Booking
    from rollout.officehours.services import running_office_hours

    now = timezone.now()
    live = Booking.objects.filter(cancelled_at__isnull=True, slot__cancelled=False)
    held = live.filter(slot__ends_at__lt=now, slot__starts_at__gte=now - timedelta(days=30))
    figures = held.aggregate(n=Count("pk"), people=Count("user", distinct=True))
    running = running_office_hours().count()
    if not running and not figures["n"]:
        return []
    coming = live.filter(slot__starts_at__gt=now).count()
    return [
        (
            "Sprechstunden",
            [
                f"{running} Sprechstunden im Angebot, {coming} Termine gebucht",
                f"Letzte 30 Tage: {figures['n']} Termine gehalten mit {figures['people']} Personen",
            ],
        )
    ]


def officehour_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    """The person's next bookings; for hosts also the next booked slots of their agenda."""
    from rollout.officehours.selectors import next_bookings, next_hosted
    from rollout.officehours.services import can_host

    is_host = can_host(request.user)
    context = {
        "bookings": next_bookings(request.user, limit=1 if is_host else 3),
        "is_host": is_host,
        "hosted": next_hosted(request.user) if is_host else [],
    }
    return [HomeCard("rollout/officehours/_card.html", context, order=25)]


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_home_cards, register_nav, register_report_facts
    from rollout.common.reminders import register_reminder
    from rollout.events.calendar import feed_provider_register
    from rollout.officehours.mail import REMINDER, feed_items
    from rollout.people.multipliers import ActivityCounter, register_activity_counter

    feed_provider_register(feed_items)
    register_reminder(REMINDER)
    register_activity_counter(
        ActivityCounter("office_hours_held", _("Office-hour slots held"), slots_held, order=40)
    )
    register_action_labels(AUDIT_LABELS)
    register_report_facts(officehour_facts)
    register_home_cards(officehour_cards)
    register_nav(
        NavItem(
            _("Office hours"),
            "rollout:officehour-list",
            order=17,
            active_prefix="/sprechstunden/",
        )
    )
