"""Writes of the base: people and their roles, invitations, the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone

from portal.models import AuditEntry, Department, Invitation, User
from portal.roles import Role


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that `actor` did `action`; details hold ids and figures, never content."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
    )


@transaction.atomic
def user_create(
    *,
    email: str,
    name: str,
    password: str | None = None,
    department: Department | None = None,
    roles: Iterable[Role] = (),
    language: str = User.Language.GERMAN,
) -> User:
    """Create a person; every person is an employee, `roles` are added on top."""
    user = User.objects.create_user(
        email, password, name=name, department=department, preferred_language=language
    )
    _roles_apply(user, {Role.EMPLOYEE, *roles})
    return user


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[Role], by: User | None) -> None:
    """Give `user` exactly `roles` (plus employee) and record the change."""
    before = sorted(user.roles)
    _roles_apply(user, {Role.EMPLOYEE, *roles})
    after = sorted(str(r) for r in {Role.EMPLOYEE, *roles})
    if before != after:
        audit_record(
            actor=by,
            action="roles.changed",
            target=user,
            details={"before": before, "after": after},
        )


def _roles_apply(user: User, roles: set[Role]) -> None:
    user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
    # Programme admins reach the Django admin (behind the same login and two-factor).
    is_staff = Role.PROGRAMME_ADMIN in roles or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("roles", None)


@transaction.atomic
def invitation_create(
    *, email: str, role: Role, department: Department | None, by: User
) -> Invitation:
    """Invite `email` to sign up with `role`; the invitation mail leaves after commit."""
    from portal.tasks import invitation_send

    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        role=role,
        department=department,
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(actor=by, action="invitation.created", target=invitation, details={"role": role})
    invitation_send.delay_on_commit(invitation.pk)
    return invitation


@transaction.atomic
def user_signup_complete(*, user: User, invitation: Invitation | None) -> User:
    """Finish a sign-up: save the person, give roles, use up the invitation."""
    roles: set[Role] = set()
    if invitation is not None and invitation.is_open() and invitation.email == user.email:
        roles.add(Role(invitation.role))
        if user.department_id is None:
            user.department = invitation.department
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now()
        )
        if not claimed:
            roles.clear()
    user.save()
    _roles_apply(user, {Role.EMPLOYEE, *roles})
    audit_record(
        actor=user,
        action="account.signed_up",
        target=user,
        details={"roles": sorted(str(r) for r in {Role.EMPLOYEE, *roles})},
    )
    return user


def user_language_set(*, user: User, language: str) -> None:
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
