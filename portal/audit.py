"""Readable audit entries: names of actions (apps add theirs in AppConfig.ready()), of the
object types, of the details' keys and of the stored values.

An entry stores keys of the code ("usecase.updated", "rollout.eventseries", "moved_up",
"works_council"); people read labels. Object types and field names come from the models'
verbose names, stored choice values from the target model's choices (or the roles).
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.roles import Role

ACTION_LABELS: dict[str, str | Promise] = {
    "account.signed_up": _("Account created"),
    "roles.changed": _("Roles changed"),
    "invitation.created": _("Invitation sent"),
    "branding.changed": _("Branding changed"),
    "department.created": _("Department created"),
    "department.changed": _("Department renamed or changed"),
    "department.deleted": _("Department deleted"),
    "person.department_changed": _("Person moved to another department"),
}

# The keys the code writes into an entry's details; a key that names a field of the entry's
# object needs no label here (its verbose name is used).
DETAIL_LABELS: dict[str, str | Promise] = {
    "after": _("after"),
    "anonymous": _("anonymous"),
    "assistant": _("assistant"),
    "attachment": _("file"),
    "attempt": _("attempt"),
    "audience": _("audience"),
    "before": _("before"),
    "bookings": _("bookings"),
    "built_in": _("built-in list used"),
    "budget_eur": _("budget (EUR)"),
    "by_data": _("reached through the figures"),
    "by_host": _("by the host"),
    "category": _("category"),
    "changed": _("changed"),
    "characters": _("characters"),
    "codec": _("audio format"),
    "comment": _("comment"),
    "complete": _("complete"),
    "completion_tokens": _("tokens written"),
    "container": _("file format"),
    "corrected": _("corrected"),
    "days": _("days"),
    "demo_model": _("written by the demo model"),
    "done_on": _("done on"),
    "drafts_deleted": _("drafts deleted"),
    "due_on": _("due on"),
    "english": _("in English too"),
    "entry": _("FAQ entry"),
    "event": _("event"),
    "failed": _("failed"),
    "fields": _("changed"),
    "from": _("from"),
    "from_slot": _("from slot"),
    "had_record": _("had a multiplier record"),
    "jobs_deleted": _("jobs deleted"),
    "key": _("template"),
    "kind": _("kind"),
    "language": _("language"),
    "level": _("level"),
    "material": _("material"),
    "metric": _("measured by"),
    "model": _("model"),
    "moved_up": _("moved up from the waiting list"),
    "name": _("name"),
    "new": _("new"),
    "outcome": _("outcome"),
    "parts": _("parts"),
    "people": _("people"),
    "phase": _("phase"),
    "prompt_tokens": _("tokens read"),
    "published": _("published"),
    "questions": _("questions"),
    "recipients": _("recipients"),
    "recorded": _("recorded in the browser"),
    "recordings_deleted": _("recordings deleted"),
    "registration": _("registration"),
    "respondents": _("respondents"),
    "reviewed": _("reviewed"),
    "risk": _("risk"),
    "risk_before": _("risk before"),
    "role": _("role"),
    "roles": _("roles"),
    "rules": _("rules"),
    "routed": _("passed on for review"),
    "scheduled_for": _("scheduled for"),
    "seconds": _("seconds"),
    "sent": _("sent"),
    "signoff": _("sign-off"),
    "slot": _("slot"),
    "source": _("source"),
    "source_event": _("from event"),
    "status": _("status"),
    "target": _("target"),
    "template": _("template"),
    "text_changed": _("text changed"),
    "to": _("to"),
    "took": _("took (seconds)"),
    "transcripts_cleared": _("transcripts emptied"),
    "transcripts_deleted": _("transcripts deleted"),
    "transition": _("status change"),
    "turns": _("turns"),
    "use_case": _("use case"),
    "validation": _("validation"),
    "value": _("value"),
    "version": _("version"),
}
_APPS = {"portal", "rollout", "assistants", "newsletter"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# keys whose values are field names of the entry's object
_FIELD_LISTS = {"fields", "changed"}
# keys whose values are names or figures, never a stored choice
_FREE_TEXT = {"name", "model", "template", "key", "value", "target"}


def register_action_labels(labels: dict[str, str | Promise]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type) if "." in target_type else None
    except LookupError:
        return None  # a model that no longer exists


def target_label(target_type: str, target_id: str) -> str:
    """Return the object of an entry as people read it: "Terminserie 4"."""
    if not target_type:
        return "—"
    model = _model(target_type)
    kind = capfirst(model._meta.verbose_name) if model else gettext("Object")
    return f"{kind} {target_id}".strip()


def _field_label(model: type[models.Model] | None, name: str) -> str | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    label = getattr(field, "verbose_name", None)
    return str(label) if label else None


@functools.cache
def _choices_anywhere() -> dict[str, str | Promise]:
    """Return stored value → label of every choice of the portal's models (first one wins)."""
    found: dict[str, str | Promise] = dict(Role.choices)
    for model in apps.get_models():
        if model._meta.app_label not in _APPS:
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                found.setdefault(str(value), label)
    return found


def _choice_label(model: type[models.Model] | None, key: str, value: str) -> str | None:
    """Return the label of a stored choice: of the entry's object's field named like the key,
    of any of its fields, a role, then of any model (a registration's status on its event)."""
    fields = [f for f in model._meta.get_fields() if getattr(f, "choices", None)] if model else []
    named = [f for f in fields if f.name in (key, key.removesuffix("_before"), "status")]
    for field in [*named, *fields]:
        labels = {str(v): label for v, label in field.flatchoices}
        if value in labels:
            return str(labels[value])
    label = _choices_anywhere().get(value)
    return str(label) if label is not None else None


def _value(model: type[models.Model] | None, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return number_format(value)  # 22,7 in German
    if isinstance(value, list | tuple):
        return ", ".join(_value(model, key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_key(model, k)}: {_value(model, k, v)}" for k, v in value.items())
    if isinstance(value, str):
        if key in _FIELD_LISTS and (label := _field_label(model, value)):
            return label
        if key not in _FREE_TEXT and (label := _choice_label(model, key, value)):
            return label
        if _ISO_DATE.fullmatch(value):
            try:
                return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
            except ValueError:
                return value
    return str(value)


def _key(model: type[models.Model] | None, key: str) -> str:
    if key in DETAIL_LABELS:
        return str(DETAIL_LABELS[key])
    return _field_label(model, key) or key


def detail_items(target_type: str, details: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the details of an entry as (label, value) pairs people can read."""
    model = _model(target_type)
    return [(capfirst(_key(model, k)), _value(model, k, v)) for k, v in (details or {}).items()]
