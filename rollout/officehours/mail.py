"""Office-hour bookings as calendar entries: mails with an .ics, reminders, the feed.

The .ics is written by the events' generator (`rollout.events.calendar`). A mail task may
be delivered twice or late: a mail is sent only while the booking is still in the state it
speaks of (no "you are booked" after a cancellation, no cancellation of a live booking).
Reminders are claimed with a conditional UPDATE, so overlapping beat runs send each once.
"""

from __future__ import annotations

from datetime import datetime
from email.mime.text import MIMEText
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import User
from rollout.common.reminders import Reminder
from rollout.events.calendar import CalendarItem, calendar_render, sequence_of
from rollout.events.mail import _ics_attachment
from rollout.models import Booking

# kind of mail → True if it speaks of a live booking, False of a cancelled one
MAIL_KINDS = {
    "confirmed": True,
    "reminder": True,
    "changed": True,
    "cancelled": False,
    "cancelled_by_host": False,
    "rebooked": False,
}


def ics_attachment(ics: str, method: str) -> MIMEText:
    """Return the .ics part of a mail (the event mails' builder: base64, with METHOD)."""
    return _ics_attachment(ics, method)


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def bookings_url() -> str:
    return settings.SITE_URL + reverse("rollout:officehour-bookings")


def _is_live(booking: Booking) -> bool:
    return booking.cancelled_at is None and not booking.slot.cancelled


def booking_item(
    booking: Booking, *, revised_at: datetime, with_attendee: bool, for_feed: bool = False
) -> CalendarItem:
    """Return the person's entry for their booking; the online link only while it is live.

    `for_feed`: without the topic. A feed is fetched by whatever calendar service the person
    subscribed with, often one outside the company; what they booked for stays in the portal.
    """
    office_hour = booking.slot.office_hour
    live = _is_live(booking)
    description = [office_hour.description.strip()] if office_hour.description.strip() else []
    description.append(_("With: %(host)s") % {"host": office_hour.host.name})
    if not for_feed:
        description.append(_("Your topic: %(topic)s") % {"topic": booking.topic})
    if live and office_hour.online_url:
        description.append(_("Online: %(url)s") % {"url": office_hour.online_url})
    description.append(_("Cancel or rebook: %(url)s") % {"url": bookings_url()})
    location = office_hour.location or (office_hour.online_url if live else "") or _("online")
    return CalendarItem(
        uid=f"officehour-booking-{booking.pk}@{_domain()}",
        sequence=sequence_of(revised_at),
        starts_at=booking.slot.starts_at,
        ends_at=booking.slot.ends_at,
        summary=office_hour.topic,
        description="\n\n".join(description),
        location=location,
        url=bookings_url(),
        status="CONFIRMED" if live else "CANCELLED",
        attendee=(booking.user.name, booking.user.email) if with_attendee else None,
    )


def host_item(booking: Booking) -> CalendarItem:
    """Return the host's feed entry for a booked slot: booked, and where to see by whom.

    Never the booker's name or topic ("habe Angst um meinen Job"): the feed leaves the
    portal without a login; the agenda behind the login shows both.
    """
    office_hour = booking.slot.office_hour
    agenda = settings.SITE_URL + reverse("rollout:officehour-agenda")
    return CalendarItem(
        uid=f"officehour-slot-{booking.slot_id}-host@{_domain()}",
        sequence=sequence_of(booking.created_at),
        starts_at=booking.slot.starts_at,
        ends_at=booking.slot.ends_at,
        summary=_("%(topic)s: booked") % {"topic": office_hour.topic},
        description=_("Who booked and why: %(url)s (sign-in required)") % {"url": agenda},
        location=office_hour.location or office_hour.online_url or _("online"),
        url=agenda,
    )


def feed_items(user: User, since: datetime) -> list[CalendarItem]:
    """Return `user`'s booked slots and, as host, the booked slots of their office hours."""
    live = Booking.objects.filter(
        cancelled_at__isnull=True, slot__cancelled=False, slot__ends_at__gte=since
    )
    mine = live.filter(user=user).select_related("slot__office_hour__host", "user")
    hosted = live.filter(slot__office_hour__host=user).select_related("slot__office_hour")
    items = [
        booking_item(b, revised_at=b.created_at, with_attendee=False, for_feed=True) for b in mine
    ]
    return items + [host_item(b) for b in hosted]


def booking_mail(*, booking_id: int, kind: str) -> bool:
    """Send the mail of `kind` if it is still true; return whether it was sent."""
    booking = (
        Booking.objects.select_related("slot__office_hour__host", "user")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or kind not in MAIL_KINDS or MAIL_KINDS[kind] != _is_live(booking):
        return False
    user, slot = booking.user, booking.slot
    if not user.is_active or not user.email:
        return False
    live = MAIL_KINDS[kind]
    if live and slot.ends_at <= timezone.now():
        return False  # news about a past slot helps nobody
    method = "REQUEST" if live else "CANCEL"
    # Each mail a later SEQUENCE than the one before, so calendars take the newest.
    revised_at = timezone.now() if live else booking.cancelled_at or timezone.now()
    context = {
        "kind": kind,
        "booking": booking,
        "slot": slot,
        "office_hour": slot.office_hour,
        "user": user,
        "link": bookings_url(),
    }
    with translation.override(user.preferred_language):
        subject = render_to_string("rollout/email/officehour_booking_subject.txt", context)
        body = render_to_string("rollout/email/officehour_booking.txt", context)
        item = booking_item(booking, revised_at=revised_at, with_attendee=True)
        ics = calendar_render([item], method=method)
    message = EmailMessage(" ".join(subject.split()), body, to=[user.email])
    message.attach(ics_attachment(ics, method))
    message.send()
    return True


REMINDER = Reminder(
    name="office-hour booking",
    model=Booking,
    live=Q(cancelled_at__isnull=True),
    starts_at="slot__starts_at",
    send=lambda pk: booking_mail(booking_id=pk, kind="reminder"),
    live_elsewhere=Q(slot__cancelled=False),
)
