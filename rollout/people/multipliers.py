"""Multipliers: confirm workshop attendees, end the role, and what the directory shows.

A person is a multiplier when they hold the multiplier *role* (it grants the permissions);
the `Multiplier` row records why, by whom and their focus. Confirming adds both, ending
removes both. A dismissal (CandidateDismissal) hides the workshops attended until then; a
later workshop shows the person again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portal.models import User
from portal.roles import Role
from portal.services import audit_record, user_roles_set
from rollout.models import CandidateDismissal, Event, Multiplier, Registration

DISMISSED = "multiplier.candidate_dismissed"


class MultiplierError(Exception):
    """The step is not possible (or already done); the message says why."""


# Reads -------------------------------------------------------------------------------------


def _candidate_registrations() -> QuerySet[Registration]:
    dismissed = CandidateDismissal.objects.filter(
        user_id=OuterRef("user_id"), dismissed_at__gte=OuterRef("attended_at")
    )
    return (
        Registration.objects.filter(
            event__kind=Event.Kind.WORKSHOP,
            attended_at__isnull=False,
            user__is_active=True,
            user__multiplier__isnull=True,
        )
        .exclude(user__groups__name=Role.MULTIPLIER)
        .exclude(Exists(dismissed))
    )


def multiplier_candidates() -> list[Registration]:
    """Return, per person, the latest attended workshop of people who are no multiplier yet."""
    registrations = (
        _candidate_registrations()
        .select_related("user__department", "event")
        .order_by("user_id", "-attended_at")
        .distinct("user_id")
    )
    return sorted(registrations, key=lambda r: (r.user.name, r.user_id))


def multipliers(*, department_id: int | None = None) -> list[User]:
    """Return the active people holding the multiplier role; `.record` is their row or None.

    Someone given the role on the people page has no record (yet).
    """
    people = User.objects.filter(is_active=True, groups__name=Role.MULTIPLIER)
    if department_id is not None:
        people = people.filter(department_id=department_id)
    people = list(
        people.select_related(
            "department", "multiplier__source_event", "multiplier__confirmed_by"
        ).order_by("name", "pk")
    )
    for person in people:
        # select_related cached the missing row: hasattr costs no query.
        person.record = person.multiplier if hasattr(person, "multiplier") else None
    return people


@dataclass(frozen=True)
class ActivityCounter:
    """One figure of what multipliers do; `count` answers for many people in one query."""

    key: str
    label: str | Promise
    count: Callable[[Sequence[int]], dict[int, int]]
    order: int = 50


_counters: list[ActivityCounter] = []


def register_activity_counter(counter: ActivityCounter) -> None:
    """Add a figure to the directory (use cases logged, office hours held, ...); by key."""
    _counters[:] = [c for c in _counters if c.key != counter.key] + [counter]
    _counters.sort(key=lambda c: c.order)


def activity_counters() -> list[ActivityCounter]:
    return list(_counters)


def multiplier_directory(*, department_id: int | None = None) -> list[tuple[str, list[User]]]:
    """Return (department name, multipliers) groups; each person gets `.activities`.

    One query for the people and one per registered counter, however many there are.
    """
    people = multipliers(department_id=department_id)
    ids = [p.pk for p in people]
    counts = {c.key: c.count(ids) if ids else {} for c in _counters}
    for person in people:
        person.activities = [(c.label, counts[c.key].get(person.pk, 0)) for c in _counters]
    no_department = _("No department")
    people.sort(key=lambda p: (p.department.name if p.department else "~", p.name))
    return [
        (name, list(group))
        for name, group in groupby(
            people, key=lambda p: p.department.name if p.department else no_department
        )
    ]


# Writes ------------------------------------------------------------------------------------


def _locked(user: User) -> User:
    # Serialises double clicks and two admins on the same person.
    person = User.objects.select_for_update().get(pk=user.pk)
    person.__dict__.pop("roles", None)
    return person


def _roles_of(user: User) -> set[Role]:
    return {Role(name) for name in user.roles if name in Role.values}


@transaction.atomic
def multiplier_confirm(
    *, user: User, by: User, focus: str = "", source_event: Event | None = None
) -> Multiplier:
    """Make `user` a multiplier: the record plus the role, keeping their other roles."""
    person = _locked(user)
    record = Multiplier.objects.filter(user=person).first()
    has_role = person.has_role(Role.MULTIPLIER)
    if record is not None and has_role:
        raise MultiplierError(_("%(name)s is already a multiplier.") % {"name": person.name})
    if record is None:
        record = Multiplier.objects.create(
            user=person,
            focus=focus.strip(),
            source_event=source_event,
            confirmed_by=by,
            confirmed_at=timezone.now(),
        )
    if not has_role:
        user_roles_set(user=person, roles=_roles_of(person) | {Role.MULTIPLIER}, by=by)
    audit_record(
        actor=by,
        action="multiplier.confirmed",
        target=person,
        details={"source_event": source_event.pk if source_event else None},
    )
    return record


def latest_workshop_attended(user: User) -> Event | None:
    registration = (
        Registration.objects.filter(
            user=user, event__kind=Event.Kind.WORKSHOP, attended_at__isnull=False
        )
        .select_related("event")
        .order_by("-attended_at")
        .first()
    )
    return registration.event if registration else None


@transaction.atomic
def multiplier_candidate_dismiss(*, user: User, by: User) -> None:
    """Take `user` off the candidate list (until they attend another workshop)."""
    _locked(user)
    if not _candidate_registrations().filter(user_id=user.pk).exists():
        raise MultiplierError(
            _("%(name)s is not on the list of candidates (any more).") % {"name": user.name}
        )
    CandidateDismissal.objects.update_or_create(
        user=user, defaults={"dismissed_by": by, "dismissed_at": timezone.now()}
    )
    audit_record(actor=by, action=DISMISSED, target=user)


@transaction.atomic
def multiplier_end(*, user: User, by: User) -> None:
    """End `user`'s time as multiplier: the record is deleted, the role removed."""
    person = _locked(user)
    deleted, _rows = Multiplier.objects.filter(user=person).delete()
    has_role = person.has_role(Role.MULTIPLIER)
    if not deleted and not has_role:
        raise MultiplierError(_("%(name)s is not a multiplier (any more).") % {"name": person.name})
    if has_role:
        user_roles_set(user=person, roles=_roles_of(person) - {Role.MULTIPLIER}, by=by)
    audit_record(
        actor=by, action="multiplier.ended", target=person, details={"had_record": bool(deleted)}
    )


@transaction.atomic
def multiplier_focus_set(*, user: User, focus: str) -> Multiplier:
    """Let a multiplier describe what they take care of.

    Someone given the role on the people page has no record yet; it is created here
    (without `confirmed_by`: the role change is in the audit log).
    """
    person = _locked(user)
    if not person.has_role(Role.MULTIPLIER):
        raise MultiplierError(_("Only multipliers have a focus."))
    record, _created = Multiplier.objects.get_or_create(
        user=person, defaults={"confirmed_at": timezone.now()}
    )
    focus = focus.strip()
    if record.focus != focus:
        record.focus = focus
        record.save(update_fields=["focus"])
        audit_record(actor=person, action="multiplier.focus_changed", target=person)
    return record
