"""Who an issue goes to: audience, active, with an address, not unsubscribed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Issue, Preference
from newsletter.services.recipients import recipient_count, recipients
from portal.roles import Role
from rollout.models import Event, Registration
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _issue(**fields) -> Issue:
    return Issue.objects.create(subject_de="Ausgabe", body_de="Text", **fields)


def _emails(issue: Issue) -> set[str]:
    return set(recipients(issue).values_list("email", flat=True))


def test_everyone_without_inactive_and_unsubscribed(cast) -> None:
    cast["charlie"].is_active = False
    cast["charlie"].save()
    Preference.objects.create(user=cast["walter"], subscribed=False)
    Preference.objects.create(user=cast["rita"], subscribed=True)  # a row that says yes
    issue = _issue()
    assert _emails(issue) == {
        "alice@firma.test",
        "bob@firma.test",
        "rita@firma.test",
        "ada@firma.test",
    }
    assert recipient_count(issue) == 4


def test_roles_and_departments(cast) -> None:
    by_role = _issue(audience=Issue.Audience.ROLES, roles=[Role.MULTIPLIER, Role.REVIEWER])
    assert _emails(by_role) == {"bob@firma.test", "rita@firma.test"}
    everyone_role = _issue(audience=Issue.Audience.ROLES, roles=[Role.EMPLOYEE])
    assert recipient_count(everyone_role) == 6  # every person is an employee
    by_department = _issue(audience=Issue.Audience.DEPARTMENTS)
    by_department.departments.set([cast["alice"].department, cast["ada"].department])
    assert _emails(by_department) == {"alice@firma.test", "ada@firma.test"}
    assert recipient_count(_issue(audience=Issue.Audience.DEPARTMENTS)) == 0


def test_event_participants_confirmed_or_checked_in(cast) -> None:
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        kind=Event.Kind.WORKSHOP,
        title="Prompt-Werkstatt",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=3,
    )
    statuses = {
        "alice": Registration.Status.CONFIRMED,
        "bob": Registration.Status.WAITLISTED,
        "rita": Registration.Status.CANCELLED,
        "ada": Registration.Status.CONFIRMED,
    }
    for name, status in statuses.items():
        Registration.objects.create(event=event, user=cast[name], status=status)
    Registration.objects.filter(user=cast["ada"]).update(attended_at=timezone.now())
    issue = _issue(audience=Issue.Audience.EVENT, event=event)
    assert _emails(issue) == {"alice@firma.test", "ada@firma.test"}
    assert recipient_count(_issue(audience=Issue.Audience.EVENT)) == 0  # event deleted


def test_people_without_address_are_left_out(db) -> None:
    UserFactory(email="mit@firma.test")
    nobody = UserFactory(email="ohne@firma.test")
    type(nobody).objects.filter(pk=nobody.pk).update(email="")
    assert _emails(_issue()) == {"mit@firma.test"}
