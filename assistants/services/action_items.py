"""Action items as records: match owners to people, mark done, remind when overdue."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone

from assistants.models import ActionItem
from portal.models import User
from portal.services import audit_record

logger = logging.getLogger(__name__)


def suggest_owner(name: str, participants: list[str]) -> User | None:
    """Return the person the owner's name suggests, when that is unambiguous.

    Only a suggestion, preselected in the edit form: the owner an action item is assigned
    to is always picked by a person (`owner_id`), never taken from a name alone, since a
    look-alike or a namesake would get the task and its reminders.

    The full name matches anyone in the directory; a first or last name alone only
    people who took part in the meeting, and only if exactly one of them fits.
    """
    name = " ".join(name.split())
    if not name:
        return None
    people = User.objects.filter(is_active=True)
    exact = list(people.filter(name__iexact=name)[:2])
    if len(exact) == 1:
        return exact[0]
    if " " in name or not participants:
        return None
    among = [p for p in participants if name.casefold() in p.casefold().split()]
    if len(among) != 1:
        return None
    found = list(people.filter(name__iexact=among[0])[:2])
    return found[0] if len(found) == 1 else None


def directory_person(person_id: object) -> User | None:
    """Return the active person `person_id` names (the owner picked in review), else None."""
    if not isinstance(person_id, int) or isinstance(person_id, bool):
        return None
    return User.objects.filter(pk=person_id, is_active=True).first()


def action_item_done(*, item: ActionItem, by: User) -> bool:
    done = ActionItem.objects.filter(pk=item.pk, status=ActionItem.Status.OPEN).update(
        status=ActionItem.Status.DONE, done_at=timezone.now()
    )
    if done:
        audit_record(actor=by, action="action_item.done", target=item)
    return bool(done)


def _not_reminded_today():
    today = timezone.localdate()
    return Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)


def overdue_to_remind() -> list[int]:
    """Return the open, overdue items with an owner that were not reminded today."""
    return list(
        ActionItem.objects.filter(
            _not_reminded_today(),
            status=ActionItem.Status.OPEN,
            owner__isnull=False,
            due_date__lt=timezone.localdate(),
        ).values_list("pk", flat=True)
    )


def reminder_claim(item_id: int) -> bool:
    """Mark today's reminder as taken; False if it was (so no one mails twice)."""
    return bool(
        ActionItem.objects.filter(_not_reminded_today(), pk=item_id).update(
            reminded_on=timezone.localdate()
        )
    )


def reminder_release(item_id: int) -> None:
    ActionItem.objects.filter(pk=item_id).update(reminded_on=None)
