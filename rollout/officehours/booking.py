"""Booking office-hour slots: book, cancel, rebook; each change mails an .ics after commit.

No double booking of a slot: the partial unique index `booking_one_per_slot` (one booking
with `cancelled_at IS NULL` per slot) decides; the loser's IntegrityError becomes
"This slot was just taken". Before that, the slot row is locked (FOR NO KEY UPDATE), so a
booking never lands on a slot the host is cancelling or replacing in the same moment, and
a second person gets the clear message without reaching the index.

No overlapping bookings of one person: the overlap check runs under a transaction-level
advisory lock keyed by the person (`pg_advisory_xact_lock(namespace, user id)`). Two
requests of the same person (two tabs, a double click) run one after the other, so the
second sees the first's booking; requests of different people never wait for each other.
An advisory lock rather than FOR UPDATE on the user row, because the user row is written by
unrelated code (last login, roles) that should not wait for a booking, and the lock is
released at commit or rollback by PostgreSQL itself.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.common.reminders import reminded_at_on_confirm
from rollout.models import Booking, OfficeHourSlot
from rollout.officehours.services import officehour_managed_by

TOPIC_MAX = 300
_PERSON_LOCK = 7_107  # advisory-lock namespace of office-hour bookings (first key)


class BookingError(Exception):
    """The booking is not possible; the message says why."""


def slot_taken_message() -> str:
    return _("This slot was just taken. Please choose another one.")


def booking_mail_later(booking_id: int, kind: str) -> None:
    """Mail the person about their booking after the commit (a wake-up call with the id)."""
    from rollout.officehours.tasks import officehour_booking_mail

    officehour_booking_mail.delay_on_commit(booking_id, kind)


def _lock_person(user: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PERSON_LOCK, user.pk])


def _clean_topic(topic: str) -> str:
    topic = topic.strip()
    if not topic:
        raise BookingError(_("Please say in a few words what you want to talk about."))
    if len(topic) > TOPIC_MAX:
        raise BookingError(_("The topic can have at most 300 characters."))
    return topic


def _locked_slot(slot_id: int, user: User) -> OfficeHourSlot:
    """Return the slot, locked, if `user` may book it now; else raise with the reason."""
    slot = (
        OfficeHourSlot.objects.select_for_update(no_key=True, of=("self",))
        .select_related("office_hour")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None or slot.cancelled or not slot.office_hour.active:
        raise BookingError(_("This slot is no longer offered."))
    if slot.starts_at <= timezone.now():
        raise BookingError(_("This slot has already begun."))
    if slot.office_hour.host_id == user.pk:
        raise BookingError(_("You host this office hour."))
    return slot


def _refuse_overlap(slot: OfficeHourSlot, user: User, *, ignore: int | None = None) -> None:
    mine = Booking.objects.filter(
        user=user,
        cancelled_at__isnull=True,
        slot__cancelled=False,
        slot__starts_at__lt=slot.ends_at,
        slot__ends_at__gt=slot.starts_at,
    ).exclude(pk=ignore)
    clash = mine.select_related("slot__office_hour").first()
    if clash is None:
        return
    if clash.slot_id == slot.pk:
        raise BookingError(_("You have already booked this slot."))
    raise BookingError(
        _("You already have a booking at this time: %(topic)s, %(time)s.")
        % {
            "topic": clash.slot.office_hour.topic,
            "time": formats.date_format(
                timezone.localtime(clash.slot.starts_at), "SHORT_DATETIME_FORMAT"
            ),
        }
    )


def _insert(slot: OfficeHourSlot, user: User, topic: str) -> Booking:
    if Booking.objects.filter(slot=slot, cancelled_at__isnull=True).exists():
        raise BookingError(slot_taken_message())
    try:
        with transaction.atomic():
            return Booking.objects.create(
                slot=slot,
                user=user,
                topic=topic,
                reminded_at=reminded_at_on_confirm(slot.starts_at),
            )
    except IntegrityError:  # another person's booking committed first
        raise BookingError(slot_taken_message()) from None


@transaction.atomic
def booking_create(*, slot: OfficeHourSlot, user: User, topic: str) -> Booking:
    """Book `slot` for `user` with a short topic."""
    topic = _clean_topic(topic)
    _lock_person(user)
    current = _locked_slot(slot.pk, user)
    _refuse_overlap(current, user)
    booking = _insert(current, user, topic)
    audit_record(
        actor=user,
        action="officehour.booked",
        target=current.office_hour,
        details={"slot": slot.pk},
    )
    booking_mail_later(booking.pk, "confirmed")
    return booking


def _locked_booking(booking: Booking) -> Booking:
    current = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__office_hour")
        .get(pk=booking.pk)
    )
    if current.cancelled_at is not None:
        raise BookingError(_("This booking was already cancelled."))
    if current.slot.starts_at <= timezone.now():
        raise BookingError(_("This slot has already begun."))
    return current


def booking_cancel_allowed(booking: Booking, user: User) -> bool:
    """The person who booked, the host and programme admins may cancel a booking."""
    return booking.user_id == user.pk or officehour_managed_by(booking.slot.office_hour, user)


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User) -> Booking:
    """Cancel a booking; the slot is free again. The person gets a cancellation .ics."""
    current = _locked_booking(booking)
    current.cancelled_at = timezone.now()
    current.save(update_fields=["cancelled_at"])
    by_person = by.pk == current.user_id
    audit_record(
        actor=by,
        action="officehour.booking_cancelled",
        target=current.slot.office_hour,
        details={"slot": current.slot_id, "by_host": not by_person},
    )
    booking_mail_later(current.pk, "cancelled" if by_person else "cancelled_by_host")
    return current


@transaction.atomic
def booking_rebook(*, booking: Booking, slot: OfficeHourSlot, by: User) -> Booking:
    """Move a booking to another slot in one step; if that slot is taken, nothing changes.

    Both happen in one transaction: the old booking is cancelled and the new one inserted;
    when the insert loses (slot taken, overlap, slot gone) the exception rolls back the
    cancellation too, so the person keeps the old booking.
    """
    user = booking.user
    _lock_person(user)
    old = _locked_booking(booking)
    if old.slot_id == slot.pk:
        raise BookingError(_("This is your current slot."))
    current = _locked_slot(slot.pk, user)
    _refuse_overlap(current, user, ignore=old.pk)
    old.cancelled_at = timezone.now()
    old.save(update_fields=["cancelled_at"])
    new = _insert(current, user, old.topic)
    audit_record(
        actor=by,
        action="officehour.rebooked",
        target=current.office_hour,
        details={"from_slot": old.slot_id, "slot": current.pk},
    )
    booking_mail_later(old.pk, "rebooked")
    booking_mail_later(new.pk, "confirmed")
    return new
