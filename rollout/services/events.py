"""Registrations: take a seat or join the waiting list, cancel, move the next one up.

Seats are taken with one conditional UPDATE on the event row (`seats_taken < capacity`),
backed by a check constraint, so the last seat goes to exactly one person even when many
register in the same second.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.models import Event, Registration

Status = Registration.Status


class RegistrationError(Exception):
    """The registration is not possible; the message says why."""


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
    if existing is not None:
        existing.status = status
        existing.save(update_fields=["status", "updated_at"])
        registration = existing
    else:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(event=event, user=user, status=status)
        except IntegrityError:  # a double click that got here first
            raise RegistrationError(_("You are already registered.")) from None
    audit_record(actor=user, action="event.registered", target=event, details={"status": status})
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User) -> Registration | None:
    """Cancel; a freed seat goes to the first person on the waiting list, who is returned."""
    # The row as it is now (it may have moved up since the page was loaded), locked.
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.status == Status.CANCELLED:
        raise RegistrationError(_("This registration was already cancelled."))
    was = current.status
    current.status = Status.CANCELLED
    current.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="event.cancelled", target=registration.event)
    if was != Status.CONFIRMED:
        return None
    Event.objects.filter(pk=registration.event_id).update(seats_taken=F("seats_taken") - 1)
    return _move_up(registration.event)


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
    waiting.save(update_fields=["status", "updated_at"])
    audit_record(actor=None, action="event.moved_up", target=event)
    return waiting
