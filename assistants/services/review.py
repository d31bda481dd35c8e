"""Review before adoption: people edit, accept or reject each item, a reviewer approves.

All state changes of a protocol go through `_transition`, one conditional UPDATE per step,
so a double click or two reviewers at once cannot approve twice or skip a state.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from assistants import schema
from assistants.models import ActionItem, Protocol, ProtocolEdit, ProtocolVersion
from assistants.services.action_items import directory_person
from portal.models import User
from portal.roles import Role
from portal.services import audit_record

Status = Protocol.Status
# action: (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "submit": ({Status.DRAFT, Status.RETURNED}, Status.IN_REVIEW),
    "approve": ({Status.IN_REVIEW}, Status.APPROVED),
    "return": ({Status.IN_REVIEW}, Status.RETURNED),
    "new_version": ({Status.APPROVED}, Status.DRAFT),
}
REVIEWED_SECTIONS = ("decisions", "action_items")
EDITABLE_FIELDS = {"decisions": ("text",), "action_items": ("task", "owner", "due_date")}


class ReviewError(Exception):
    """The step is not allowed now; the message says why."""


def can_edit(protocol: Protocol, user: User) -> bool:
    if protocol.status == Status.IN_REVIEW:
        return protocol.owner_id == user.pk or user.has_role(Role.REVIEWER)
    return protocol.status in (Status.DRAFT, Status.RETURNED) and protocol.owner_id == user.pk


def can_review(protocol: Protocol, user: User) -> bool:
    """Four eyes: a reviewer who is not the protocol's owner."""
    return (
        protocol.status == Status.IN_REVIEW
        and user.has_role(Role.REVIEWER)
        and protocol.owner_id != user.pk
    )


def pending_items(data: dict) -> int:
    return sum(
        1
        for section in REVIEWED_SECTIONS
        for item in data.get(section, [])
        if item.get("review", "pending") == "pending"
    )


def _transition(protocol: Protocol, action: str, by: User, **fields) -> None:
    sources, target = TRANSITIONS[action]
    moved = Protocol.objects.filter(pk=protocol.pk, status__in=sources).update(
        status=target, **fields
    )
    if not moved:
        raise ReviewError(
            _("This step is not possible while the protocol is “%(status)s”.")
            % {"status": protocol.get_status_display()}
        )
    protocol.refresh_from_db()
    audit_record(
        actor=by,
        action=f"protocol.{action}",
        target=protocol,
        details={"version": protocol.version, "demo_model": protocol.from_demo_model},
    )


def _locked(protocol: Protocol) -> Protocol:
    return Protocol.objects.select_for_update().get(pk=protocol.pk)


def _item(protocol: Protocol, section: str, index: int) -> dict:
    if section not in REVIEWED_SECTIONS:
        raise ReviewError(_("Unknown section."))
    items = protocol.data.get(section, [])
    if not 0 <= index < len(items):
        raise ReviewError(_("This item does not exist (any more)."))
    return items[index]


@transaction.atomic
def protocol_item_edit(
    *, protocol: Protocol, section: str, index: int, values: dict, by: User
) -> None:
    """Change an item's wording; the change is cleaned like model output and recorded."""
    protocol = _locked(protocol)
    if not can_edit(protocol, by):
        raise ReviewError(_("You cannot edit this protocol now."))
    item = _item(protocol, section, index)
    try:  # same cleaning and limits as generated text
        cleaned = schema.clean_edit(
            section, {f: values[f] for f in EDITABLE_FIELDS[section] if f in values}
        )
    except schema.ProtocolInvalid as e:
        raise ReviewError(str(e)) from e
    main_field = EDITABLE_FIELDS[section][0]
    if main_field in cleaned and not cleaned[main_field]:
        raise ReviewError(_("The text must not be empty; reject the item instead."))
    if section == "action_items" and "person" in values:
        person = values["person"]
        if person is not None and directory_person(person.pk) is None:
            raise ReviewError(_("Pick an active person from the directory."))
        cleaned["owner_id"] = person.pk if person is not None else None
    item.update(cleaned, edited=True)
    if "owner" in cleaned:
        item["owner_unknown"] = False  # a person named the owner
    Protocol.objects.filter(pk=protocol.pk).update(data=protocol.data)
    ProtocolEdit.objects.create(
        protocol=protocol, user=by, section=section, index=index, action=ProtocolEdit.Action.EDITED
    )


@transaction.atomic
def protocol_item_decide(
    *, protocol: Protocol, section: str, index: int, accept: bool, by: User
) -> None:
    protocol = _locked(protocol)
    if not can_edit(protocol, by):
        raise ReviewError(_("You cannot review this protocol now."))
    _item(protocol, section, index)["review"] = "accepted" if accept else "rejected"
    Protocol.objects.filter(pk=protocol.pk).update(data=protocol.data)
    ProtocolEdit.objects.create(
        protocol=protocol,
        user=by,
        section=section,
        index=index,
        action=ProtocolEdit.Action.ACCEPTED if accept else ProtocolEdit.Action.REJECTED,
    )


@transaction.atomic
def protocol_submit(*, protocol: Protocol, by: User) -> None:
    if protocol.owner_id != by.pk:
        raise ReviewError(_("Only the owner submits a protocol for review."))
    _transition(protocol, "submit", by, return_comment="")


@transaction.atomic
def protocol_return(*, protocol: Protocol, by: User, comment: str) -> None:
    if not can_review(protocol, by):
        raise ReviewError(_("Only a reviewer other than the owner can return a protocol."))
    comment = comment.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not comment:
        raise ReviewError(_("Please say what should be changed."))
    _transition(protocol, "return", by, return_comment=comment[:2000])


@transaction.atomic
def protocol_approve(*, protocol: Protocol, by: User, notify: bool = True) -> list[ActionItem]:
    """Approve: freeze the version, turn accepted action items into records, notify owners.

    `notify=False` mails nobody: the demo data, which may be loaded without a broker."""
    from assistants.tasks import action_item_notify

    protocol = _locked(protocol)
    if not can_review(protocol, by):
        raise ReviewError(_("Only a reviewer other than the owner can approve a protocol."))
    if pending_items(protocol.data):
        raise ReviewError(
            _("Accept or reject every decision and action item first (%(n)d still open).")
            % {"n": pending_items(protocol.data)}
        )
    now = timezone.now()
    _transition(protocol, "approve", by, approved_by=by, approved_at=now)
    ProtocolVersion.objects.create(
        protocol=protocol,
        number=protocol.version,
        data=protocol.data,
        approved_by=by,
        approved_at=now,
    )
    items = [
        _action_item(protocol, item)
        for item in protocol.data.get("action_items", [])
        if item.get("review") == "accepted"
    ]
    ActionItem.objects.bulk_create(items)
    if not notify:
        return items
    for item in ActionItem.objects.filter(
        protocol=protocol, version=protocol.version, owner__isnull=False
    ):
        action_item_notify.delay_on_commit(item.pk)
    return items


def _action_item(protocol: Protocol, item: dict) -> ActionItem:
    due = date.fromisoformat(item["due_date"]) if item.get("due_date") else None
    return ActionItem(
        protocol=protocol,
        version=protocol.version,
        task=item["task"][:500],
        owner_name=item.get("owner", "")[:120],
        owner=directory_person(item.get("owner_id")),  # picked in review, never by name
        due_date=due,
    )


@transaction.atomic
def protocol_new_version(*, protocol: Protocol, by: User) -> None:
    """Start editing an approved protocol again; the approved version stays as it was."""
    if protocol.owner_id != by.pk and not by.has_role(Role.REVIEWER):
        raise ReviewError(_("Only the owner or a reviewer can start a new version."))
    _transition(
        protocol, "new_version", by, version=F("version") + 1, approved_by=None, approved_at=None
    )
