"""Composing, scheduling and cancelling newsletter issues (sending is in `sending`).

The programme admins compose (views check the role; services trust their caller). Every
change is audited with ids and figures only, never subject or body text. Status changes use
a conditional UPDATE, so a double click or a send that started meanwhile cannot be undone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsletter.models import Issue
from portal.models import Department, User
from portal.roles import Role
from portal.services import audit_record
from rollout.models import Event

MAX_SUBJECT = Issue._meta.get_field("subject_de").max_length
MAX_BODY = Issue._meta.get_field("body_de").max_length
EDITABLE = (Issue.Status.DRAFT, Issue.Status.SCHEDULED)
# How the audit log names the newsletter's actions (registered in newsletter/apps.py).
AUDIT_LABELS = {
    "newsletter.issue_created": gettext_lazy("Newsletter issue drafted"),
    "newsletter.issue_updated": gettext_lazy("Newsletter issue changed"),
    "newsletter.issue_scheduled": gettext_lazy("Newsletter issue scheduled"),
    "newsletter.issue_unscheduled": gettext_lazy("Newsletter schedule cancelled"),
    "newsletter.issue_cancelled": gettext_lazy("Newsletter issue discarded"),
    "newsletter.subscribed": gettext_lazy("Newsletter subscribed"),
    "newsletter.unsubscribed": gettext_lazy("Newsletter unsubscribed"),
}


class IssueError(Exception):
    """A change the issue's state or the input does not allow; the message is for people."""


def _checked(
    *, subject_de: str, body_de: str, subject_en: str, body_en: str, audience: str, roles, event
) -> dict:
    subject_de, body_de = subject_de.strip(), body_de.strip()
    subject_en, body_en = subject_en.strip(), body_en.strip()
    if not subject_de or not body_de:
        raise IssueError(_("The German subject and text are required."))
    if max(len(subject_de), len(subject_en)) > MAX_SUBJECT:
        raise IssueError(_("The subject is too long."))
    if max(len(body_de), len(body_en)) > MAX_BODY:
        raise IssueError(_("The text is too long."))
    if bool(subject_en) != bool(body_en):
        raise IssueError(_("Give the English subject and text together, or neither."))
    if audience not in Issue.Audience.values:
        raise IssueError(_("Choose an audience."))
    roles = sorted({str(role) for role in roles or ()})
    if any(role not in Role.values for role in roles):
        raise IssueError(_("Unknown role."))
    if audience == Issue.Audience.ROLES and not roles:
        raise IssueError(_("Choose at least one role."))
    if audience == Issue.Audience.EVENT and event is None:
        raise IssueError(_("Choose the event."))
    return {
        "subject_de": subject_de,
        "body_de": body_de,
        "subject_en": subject_en,
        "body_en": body_en,
        "audience": audience,
        "roles": roles if audience == Issue.Audience.ROLES else [],
        "event": event if audience == Issue.Audience.EVENT else None,
    }


def _departments(audience: str, departments: Iterable[Department] | None) -> list[Department]:
    chosen = list(departments or ())
    if audience == Issue.Audience.DEPARTMENTS and not chosen:
        raise IssueError(_("Choose at least one department."))
    return chosen if audience == Issue.Audience.DEPARTMENTS else []


@transaction.atomic
def issue_create(
    *,
    by: User,
    subject_de: str,
    body_de: str,
    subject_en: str = "",
    body_en: str = "",
    audience: str = Issue.Audience.EVERYONE,
    roles: Iterable[str] | None = None,
    departments: Iterable[Department] | None = None,
    event: Event | None = None,
) -> Issue:
    """Create a draft issue."""
    fields = _checked(
        subject_de=subject_de,
        body_de=body_de,
        subject_en=subject_en,
        body_en=body_en,
        audience=audience,
        roles=roles,
        event=event,
    )
    chosen = _departments(audience, departments)
    issue = Issue.objects.create(created_by=by, **fields)
    issue.departments.set(chosen)
    audit_record(
        actor=by,
        action="newsletter.issue_created",
        target=issue,
        details={"audience": issue.audience, "english": bool(issue.body_en)},
    )
    return issue


@transaction.atomic
def issue_update(
    *,
    issue: Issue,
    by: User,
    subject_de: str,
    body_de: str,
    subject_en: str = "",
    body_en: str = "",
    audience: str = Issue.Audience.EVERYONE,
    roles: Iterable[str] | None = None,
    departments: Iterable[Department] | None = None,
    event: Event | None = None,
) -> Issue:
    """Change a draft or scheduled issue (a scheduled one keeps its time)."""
    fields = _checked(
        subject_de=subject_de,
        body_de=body_de,
        subject_en=subject_en,
        body_en=body_en,
        audience=audience,
        roles=roles,
        event=event,
    )
    chosen = _departments(audience, departments)
    # Lock the row: a scheduled send must not start with half of the change.
    locked = Issue.objects.select_for_update().get(pk=issue.pk)
    if locked.status not in EDITABLE:
        raise IssueError(_("This issue is being sent or was sent; it cannot be changed."))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    locked.departments.set(chosen)
    audit_record(
        actor=by,
        action="newsletter.issue_updated",
        target=locked,
        details={"audience": locked.audience, "english": bool(locked.body_en)},
    )
    return locked


def _move(issue: Issue, *, allowed: tuple[str, ...], **changes) -> Issue:
    updated = Issue.objects.filter(pk=issue.pk, status__in=allowed).update(
        updated_at=timezone.now(), **changes
    )
    if not updated:
        raise IssueError(_("The issue's status has changed meanwhile; reload the page."))
    issue.refresh_from_db()
    return issue


@transaction.atomic
def issue_schedule(*, issue: Issue, when: datetime, by: User) -> Issue:
    """Schedule a draft (or move a scheduled issue) to be sent at `when`, in the future."""
    if when <= timezone.now():
        raise IssueError(_("The time to send must be in the future."))
    issue = _move(issue, allowed=EDITABLE, status=Issue.Status.SCHEDULED, scheduled_for=when)
    audit_record(
        actor=by,
        action="newsletter.issue_scheduled",
        target=issue,
        details={"scheduled_for": when.isoformat()},
    )
    return issue


@transaction.atomic
def issue_unschedule(*, issue: Issue, by: User) -> Issue:
    """Turn a scheduled issue back into a draft."""
    issue = _move(
        issue, allowed=(Issue.Status.SCHEDULED,), status=Issue.Status.DRAFT, scheduled_for=None
    )
    audit_record(actor=by, action="newsletter.issue_unscheduled", target=issue)
    return issue


@transaction.atomic
def issue_cancel(*, issue: Issue, by: User) -> Issue:
    """Discard a draft or scheduled issue; it is kept, but can no longer be sent."""
    issue = _move(issue, allowed=EDITABLE, status=Issue.Status.CANCELLED, scheduled_for=None)
    audit_record(actor=by, action="newsletter.issue_cancelled", target=issue)
    return issue
