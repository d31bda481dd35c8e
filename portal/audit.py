"""Readable names of audit actions; apps add theirs in AppConfig.ready()."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str | Promise] = {
    "account.signed_up": _("Account created"),
    "roles.changed": _("Roles changed"),
    "invitation.created": _("Invitation sent"),
    "department.created": _("Department created"),
    "department.changed": _("Department renamed or changed"),
    "department.deleted": _("Department deleted"),
    "person.department_changed": _("Person moved to another department"),
}


def register_action_labels(labels: dict[str, str | Promise]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
