"""Who receives an issue: the audience minus the inactive, address-less and unsubscribed."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from newsletter.models import Issue, Preference
from portal.models import User
from rollout.models import Registration


def recipients(issue: Issue) -> QuerySet[User]:
    """Return the people `issue` goes to now; no Preference row means subscribed."""
    unsubscribed = Preference.objects.filter(user=OuterRef("pk"), subscribed=False)
    people = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(Exists(unsubscribed))
        .order_by("pk")
    )
    match issue.audience:
        case Issue.Audience.EVERYONE:
            return people
        case Issue.Audience.ROLES:
            in_role = User.groups.through.objects.filter(
                user_id=OuterRef("pk"), group__name__in=list(issue.roles or [])
            )
            return people.filter(Exists(in_role))
        case Issue.Audience.DEPARTMENTS:
            return people.filter(department__in=issue.departments.all())
        case Issue.Audience.EVENT:
            if issue.event_id is None:
                return people.none()
            attending = Registration.objects.filter(
                event_id=issue.event_id, user=OuterRef("pk")
            ).filter(status=Registration.Status.CONFIRMED)
            checked_in = Registration.objects.filter(
                event_id=issue.event_id, user=OuterRef("pk"), attended_at__isnull=False
            )
            return people.filter(Exists(attending) | Exists(checked_in))
    return people.none()


def recipient_count(issue: Issue) -> int:
    return recipients(issue).count()
