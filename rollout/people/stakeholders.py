"""Stakeholder groups and where each stands per phase (the stakeholder matrix)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.models import Phase, Programme, StakeholderGroup, StakeholderStatus

GROUP_FIELDS = ("name", "kind", "contact", "involvement", "concerns")


class StakeholderError(Exception):
    """The change is not possible; the message says why."""


# Reads -------------------------------------------------------------------------------------


@dataclass
class MatrixRow:
    group: StakeholderGroup
    cells: list[tuple[Phase, StakeholderStatus | None]] = field(default_factory=list)


def stakeholder_matrix(programme: Programme) -> tuple[list[Phase], list[MatrixRow]]:
    """Return the phases and one row per group with its status per phase (three queries)."""
    phases = list(programme.phases.order_by("number"))
    groups = list(programme.stakeholder_groups.select_related("contact__department"))
    statuses = {
        (s.group_id, s.phase_id): s
        for s in StakeholderStatus.objects.filter(group__programme=programme)
    }
    rows = [
        MatrixRow(group, [(phase, statuses.get((group.pk, phase.pk))) for phase in phases])
        for group in groups
    ]
    return phases, rows


def open_concerns(programme: Programme) -> list[StakeholderStatus]:
    """Return the cells marked "open concerns", in phase order."""
    return list(
        StakeholderStatus.objects.filter(
            group__programme=programme, level=StakeholderStatus.Level.CONCERNS
        )
        .select_related("group", "phase")
        .order_by("phase__number", "group__name")
    )


# Writes ------------------------------------------------------------------------------------


@transaction.atomic
def stakeholder_group_create(
    *,
    programme: Programme,
    by: User,
    name: str,
    kind: str,
    contact: User | None = None,
    involvement: str = "",
    concerns: str = "",
) -> StakeholderGroup:
    try:
        with transaction.atomic():
            group = StakeholderGroup.objects.create(
                programme=programme,
                name=name.strip(),
                kind=kind,
                contact=contact,
                involvement=involvement,
                concerns=concerns,
            )
    except IntegrityError:  # the same name, saved a moment earlier
        raise StakeholderError(_("A group with this name exists already.")) from None
    audit_record(actor=by, action="stakeholder.created", target=group)
    return group


@transaction.atomic
def stakeholder_group_update(*, group: StakeholderGroup, by: User, **values) -> StakeholderGroup:
    """Change the fields in `values` (a subset of GROUP_FIELDS); record which changed."""
    changed = [
        name for name in GROUP_FIELDS if name in values and getattr(group, name) != values[name]
    ]
    if not changed:
        return group
    for name in changed:
        setattr(group, name, values[name])
    try:
        with transaction.atomic():
            group.save(update_fields=changed)
    except IntegrityError:
        raise StakeholderError(_("A group with this name exists already.")) from None
    audit_record(actor=by, action="stakeholder.updated", target=group, details={"changed": changed})
    return group


@transaction.atomic
def stakeholder_group_delete(*, group: StakeholderGroup, by: User) -> None:
    audit_record(actor=by, action="stakeholder.deleted", target=group)
    group.delete()


@transaction.atomic
def stakeholder_status_set(
    *, group: StakeholderGroup, phase: Phase, level: str, note: str = "", by: User
) -> StakeholderStatus:
    """Set where `group` stands in `phase`; unchanged values write nothing."""
    if phase.programme_id != group.programme_id:
        raise StakeholderError(_("This phase belongs to another programme."))
    note = note.strip()
    # get_or_create survives two admins creating the same cell at once.
    status, created = StakeholderStatus.objects.get_or_create(
        group=group, phase=phase, defaults={"level": level, "note": note}
    )
    before = None
    if not created:
        status = StakeholderStatus.objects.select_for_update().get(pk=status.pk)
        before = status.level
        if (status.level, status.note) == (level, note):
            return status
        status.level, status.note = level, note
        status.save(update_fields=["level", "note", "updated_at"])
    audit_record(
        actor=by,
        action="stakeholder.status_set",
        target=group,
        details={"phase": phase.number, "before": before, "level": level},
    )
    return status
