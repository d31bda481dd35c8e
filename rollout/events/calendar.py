"""iCalendar (RFC 5545): the .ics of event mails and the personal calendar feed.

Written by hand: the subset needed is small (one VCALENDAR with VEVENTs), and the rules
that matter (CRLF, folding at 75 octets, text escaping, UTC times) are tested by parsing
the output back with the `icalendar` library.

The feed is built from a list of providers, so other sources (office hours) can add their
entries: `feed_provider_register(provider)` with `provider(user, since) -> items`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.models import CalendarToken, Event, Registration

FEED_PAST = timedelta(days=90)  # the feed keeps the last 90 days of events
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
# Control characters are not allowed in TEXT values (RFC 5545 3.3.11); tab and newline are.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class CalendarItem:
    """One VEVENT. `attendee` (name, email) is set for the invitations sent by mail."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # TENTATIVE while waiting for a seat, CANCELLED when cancelled
    attendee: tuple[str, str] | None = None


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    for char, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(char, escaped)
    return value


def _param(value: str) -> str:
    # Parameter values cannot be escaped; quote them and drop what quoting cannot carry.
    value = _CONTROL.sub("", value.replace('"', "").replace("\n", " ").replace("\r", " "))
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets, never inside a UTF-8 character."""
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # the continuation's leading space is one octet
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def sequence_of(revised_at: datetime) -> int:
    """Return the SEQUENCE for an entry last revised at `revised_at` (grows with each change)."""
    return max(0, int((revised_at - _SEQUENCE_EPOCH).total_seconds()))


def _organizer() -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return f"ORGANIZER;CN={_param(name or address)}:mailto:{address}"


def _vevent(item: CalendarItem, stamp: str, method: str | None) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(item.uid)}",
        f"SEQUENCE:{item.sequence}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(item.starts_at)}",
        f"DTEND:{_utc(item.ends_at)}",
        f"SUMMARY:{escape_text(item.summary)}",
        f"STATUS:{item.status}",
    ]
    if item.location:
        lines.append(f"LOCATION:{escape_text(item.location)}")
    if item.description:
        lines.append(f"DESCRIPTION:{escape_text(item.description)}")
    if item.url:
        lines.append(f"URL:{item.url}")
    if method in ("REQUEST", "CANCEL"):  # iTIP wants an organizer and the attendee
        lines.append(_organizer())
        if item.attendee is not None:
            name, email = item.attendee
            partstat = "TENTATIVE" if item.status == "TENTATIVE" else "ACCEPTED"
            lines.append(
                f"ATTENDEE;CN={_param(name or email)};PARTSTAT={partstat};RSVP=FALSE:mailto:{email}"
            )
    lines.append("END:VEVENT")
    return lines


def calendar_render(
    items: Iterable[CalendarItem], *, method: str | None = None, name: str = ""
) -> str:
    """Return a VCALENDAR with `items`; `method` REQUEST/CANCEL for mails, PUBLISH for feeds."""
    stamp = _utc(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//KI-Portal//Rollout//DE"]
    lines.append("CALSCALE:GREGORIAN")
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    if method == "PUBLISH":  # ask subscribed calendar apps to refresh hourly
        lines += ["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    for item in items:
        lines += _vevent(item, stamp, method)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


# --- Events as calendar items ---------------------------------------------------------------


def event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("rollout:event-detail", args=[event.pk])


def event_item(
    event: Event, user: User, *, status: str, revised_at: datetime, with_attendee: bool = False
) -> CalendarItem:
    """Return `user`'s entry for `event`; the online link only for those who have a seat."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    url = event_url(event)
    confirmed = status == "CONFIRMED"
    location = event.location or (event.online_url if confirmed else "")
    if not location and event.online_url:
        location = _("online")
    description = [event.description.strip()] if event.description.strip() else []
    if confirmed and event.online_url:
        description.append(_("Online: %(url)s") % {"url": event.online_url})
    if status == "TENTATIVE":
        description.append(_("You are on the waiting list."))
    description.append(_("Details: %(url)s") % {"url": url})
    return CalendarItem(
        uid=f"event-{event.pk}-person-{user.pk}@{host}",
        sequence=sequence_of(revised_at),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=event.title,
        description="\n\n".join(description),
        location=location,
        url=url,
        status=status,
        attendee=(user.name, user.email) if with_attendee else None,
    )


def registration_item(registration: Registration, *, with_attendee: bool = True) -> CalendarItem:
    status = {
        Registration.Status.CONFIRMED: "CONFIRMED",
        Registration.Status.WAITLISTED: "TENTATIVE",
    }.get(registration.status, "CANCELLED")
    return event_item(
        registration.event,
        registration.user,
        status=status,
        revised_at=registration.updated_at,
        with_attendee=with_attendee,
    )


def event_feed_items(user: User, since: datetime) -> list[CalendarItem]:
    """Return the events `user` is registered for (or hosts) that end after `since`."""
    registrations = (
        Registration.objects.filter(user=user, event__ends_at__gte=since)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event", "user")
    )
    items = {r.event_id: registration_item(r, with_attendee=False) for r in registrations}
    hosted = Event.objects.filter(host=user, ends_at__gte=since).exclude(pk__in=list(items))
    for event in hosted:
        items[event.pk] = event_item(event, user, status="CONFIRMED", revised_at=event.starts_at)
    return list(items.values())


# --- The personal feed ----------------------------------------------------------------------

FeedItemProvider = Callable[[User, datetime], Iterable[CalendarItem]]
feed_item_providers: list[FeedItemProvider] = [event_feed_items]


def feed_provider_register(provider: FeedItemProvider) -> None:
    """Add a source of feed entries (e.g. booked office-hour slots)."""
    if provider not in feed_item_providers:
        feed_item_providers.append(provider)


def feed_render(user: User) -> str:
    since = timezone.now() - FEED_PAST
    items = [item for provider in feed_item_providers for item in provider(user, since)]
    items.sort(key=lambda item: (item.starts_at, item.uid))
    return calendar_render(items, method="PUBLISH", name=_("AI programme"))


def feed_user(token: str) -> User | None:
    """Return the active person whose feed token this is (one unique-index lookup)."""
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        return None
    return found.user


@transaction.atomic
def calendar_token_replace(*, user: User) -> CalendarToken:
    """Create the person's feed token, or replace it: the old URL stops working at once."""
    token, created = CalendarToken.objects.select_for_update().get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    if not created:
        token.token = secrets.token_urlsafe(32)
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    audit_record(
        actor=user, action="calendar.feed_created" if created else "calendar.feed_replaced"
    )
    return token


@transaction.atomic
def calendar_token_revoke(*, user: User) -> bool:
    """Delete the person's feed token: the address stops working, and no new one exists."""
    deleted, _rows = CalendarToken.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="calendar.feed_revoked")
    return bool(deleted)
