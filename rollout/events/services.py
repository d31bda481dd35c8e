"""Events and registrations: create and edit events, take a seat or wait, cancel, check in.

Seats are taken with one conditional UPDATE on the event row (`seats_taken < capacity`),
backed by a check constraint, so the last seat goes to exactly one person even when many
register in the same second. Every change of a registration mails the person an .ics
after the commit (`rollout.events.tasks.event_registration_mail`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.models import User
from portal.roles import Role
from portal.services import audit_record
from rollout.common.reminders import reminded_at_on_confirm
from rollout.models import Event, Registration

Status = Registration.Status
CHECK_IN_OPENS = timedelta(minutes=30)  # before the start
# Changes of these fields are news for everyone registered: they get an updated .ics.
_SCHEDULE_FIELDS = {"title", "starts_at", "ends_at", "location", "online_url"}


class RegistrationError(Exception):
    """The registration is not possible; the message says why."""


class EventError(Exception):
    """The event cannot be saved like this; the message says why."""


def event_managed_by(event: Event, user: User) -> bool:
    """True for the event's host and programme admins (attendee list, check-in, materials)."""
    return user.is_authenticated and (
        event.host_id == user.pk or user.has_role(Role.PROGRAMME_ADMIN)
    )


def _mail(registration: Registration, kind: str) -> None:
    from rollout.events.tasks import event_registration_mail

    event_registration_mail.delay_on_commit(registration.pk, kind)


def _take_seat(event: Event) -> bool:
    return bool(
        Event.objects.filter(pk=event.pk, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
    )


@transaction.atomic
def registration_create(*, event: Event, user: User) -> Registration:
    """Register `user`: a seat if one is free, else the waiting list."""
    if event.starts_at <= timezone.now():
        raise RegistrationError(_("This event has already started."))
    existing = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if existing is not None and existing.status != Status.CANCELLED:
        raise RegistrationError(_("You are already registered."))
    status = Status.CONFIRMED if _take_seat(event) else Status.WAITLISTED
    reminded_at = reminded_at_on_confirm(event.starts_at) if status == Status.CONFIRMED else None
    if existing is not None:
        existing.status, existing.attended_at, existing.reminded_at = status, None, reminded_at
        existing.save(update_fields=["status", "attended_at", "reminded_at", "updated_at"])
        registration = existing
    else:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event, user=user, status=status, reminded_at=reminded_at
                )
        except IntegrityError:  # a double click that got here first
            raise RegistrationError(_("You are already registered.")) from None
    audit_record(actor=user, action="event.registered", target=event, details={"status": status})
    _mail(registration, "confirmed" if status == Status.CONFIRMED else "waitlisted")
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User) -> Registration | None:
    """Cancel; a freed seat goes to the first person on the waiting list, who is returned."""
    # The row as it is now (it may have moved up since the page was loaded), locked.
    current = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    )
    if current.status == Status.CANCELLED:
        raise RegistrationError(_("This registration was already cancelled."))
    if current.event.ends_at <= timezone.now():
        raise RegistrationError(_("This event is over."))
    was = current.status
    current.status = Status.CANCELLED
    current.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="event.cancelled", target=current.event)
    _mail(current, "cancelled")
    if was != Status.CONFIRMED:
        return None
    Event.objects.filter(pk=current.event_id).update(seats_taken=F("seats_taken") - 1)
    return _move_up(current.event)


def _move_up(event: Event) -> Registration | None:
    waiting = (
        Registration.objects.select_for_update(skip_locked=True)
        .filter(event=event, status=Status.WAITLISTED)
        .order_by("created_at", "pk")
        .first()
    )
    if waiting is None or not _take_seat(event):
        return None
    waiting.status = Status.CONFIRMED
    waiting.reminded_at = reminded_at_on_confirm(event.starts_at)
    waiting.save(update_fields=["status", "reminded_at", "updated_at"])
    audit_record(actor=None, action="event.moved_up", target=event)
    _mail(waiting, "moved_up")
    return waiting


@transaction.atomic
def attendance_set(*, registration: Registration, attended: bool, by: User) -> Registration:
    """Check a person in (or undo it): confirmed seats only, from 30 minutes before the start."""
    current = Registration.objects.select_for_update().select_related("event", "user")
    current = current.get(pk=registration.pk)
    if current.status != Status.CONFIRMED:
        raise RegistrationError(_("Only people with a seat can be checked in."))
    if timezone.now() < current.event.starts_at - CHECK_IN_OPENS:
        raise RegistrationError(_("Check-in opens 30 minutes before the start."))
    if attended == (current.attended_at is not None):
        return current  # already so (a second click or a second host)
    current.attended_at = timezone.now() if attended else None
    current.save(update_fields=["attended_at", "updated_at"])
    audit_record(
        actor=by,
        action="event.checked_in" if attended else "event.check_in_undone",
        target=current.event,
        details={"registration": current.pk},
    )
    return current


@transaction.atomic
def event_create(*, by: User, **fields: Any) -> Event:
    """Create an event from the form's cleaned data."""
    event = Event.objects.create(**fields)
    audit_record(actor=by, action="event.created", target=event)
    return event


@transaction.atomic
def event_update(*, event: Event, by: User, **fields: Any) -> Event:
    """Change an event; more seats move people up, a new time or place is mailed to all."""
    current = Event.objects.select_for_update().get(pk=event.pk)  # registrations wait
    if fields.get("capacity", current.capacity) < current.seats_taken:
        raise EventError(
            ngettext(
                "%(n)s person already has a seat: the event needs at least %(n)s seat.",
                "%(n)s people already have a seat: the event needs at least %(n)s seats.",
                current.seats_taken,
            )
            % {"n": current.seats_taken}
        )
    changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
    for name, value in fields.items():
        setattr(current, name, value)
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:  # the only unique rule left: one session per series and time
        raise EventError(_("Another session of this series starts at the same time.")) from None
    registered = Registration.objects.filter(event=current).exclude(status=Status.CANCELLED)
    if "starts_at" in changed:  # remind again for the new time
        registered.update(reminded_at=None)
    news = bool(_SCHEDULE_FIELDS & set(changed))
    if news:  # a later SEQUENCE, so calendars take the new version
        registered.update(updated_at=timezone.now())
        for registration in registered:
            _mail(registration, "changed")
    moved = 0
    while _move_up(current) is not None:
        moved += 1
    audit_record(
        actor=by,
        action="event.changed",
        target=current,
        details={"fields": changed, "moved_up": moved},
    )
    current.refresh_from_db()
    return current
