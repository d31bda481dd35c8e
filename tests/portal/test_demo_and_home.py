"""Demo programme and the per-role home page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from portal.demo import CAST, DEMO_PASSWORD
from portal.models import Department, User
from portal.roles import Role
from rollout.models import Phase

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Department.objects.count(),
        Phase.objects.count(),
        User.groups.through.objects.count(),
    )


def test_seed_demo_builds_the_company_and_is_idempotent() -> None:
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    users, departments, phases, _ = first
    assert users == 200
    assert departments == 6
    assert phases == 5
    for role in Role:
        assert Group.objects.get(name=role).user_set.exists(), role
    statuses = set(Phase.objects.values_list("status", flat=True))
    assert statuses == {Phase.Status.DONE, Phase.Status.ACTIVE, Phase.Status.PLANNED}


def test_demo_logins_work(client) -> None:
    call_command("seed_demo")
    for member in CAST:
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": member.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, member.email
        expected = "/accounts/2fa/authenticate/" if member.local in {"ada", "rita"} else "/"
        assert response["Location"] == expected, member.email


@pytest.fixture
def programme() -> None:
    call_command("seed_demo")


def test_home_shows_current_phase_to_everyone(client, alice, programme) -> None:
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Use Cases in den Teams" in page  # the active phase of the demo
    assert 'aria-current="step"' in page
    assert "/personen/" not in page  # no admin navigation for employees


def test_home_of_admin_shows_people_and_oversight(client, ada, programme) -> None:
    client.force_login(ada)
    page = client.get("/").content.decode()
    assert "/personen/" in page
    assert "/einladungen/" in page
    assert "/audit/" in page


def test_home_of_works_council_shows_oversight_not_people(client, walter, programme) -> None:
    client.force_login(walter)
    page = client.get("/").content.decode()
    assert "/audit/" in page
    assert "/personen/" not in page


def test_roadmap_lists_the_five_phases(client, bob, programme) -> None:
    client.force_login(bob)
    page = client.get("/fahrplan/").content.decode()
    for phase in Phase.objects.all():
        assert phase.title in page


def test_people_list_runs_constant_queries(
    client, ada, programme, django_assert_max_num_queries
) -> None:
    client.force_login(ada)
    client.get("/personen/")  # warm-up: session, permissions
    with django_assert_max_num_queries(12):
        response = client.get("/personen/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 201


def test_people_filter_via_htmx_returns_fragment(client, ada, programme) -> None:
    client.force_login(ada)
    response = client.get("/personen/?role=works_council", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="people-table"' in html
    assert "Walter Fischer" in html


def test_pages_with_personal_content_are_not_stored(client, alice, programme) -> None:
    client.force_login(alice)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_home_lists_the_persons_protocols(client, alice, bob, programme) -> None:
    from tests.factories import protocol_for

    _, protocol = protocol_for(alice, title="Jour fixe Vertrieb KW 47")
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Jour fixe Vertrieb KW 47" in page
    assert f"/assistenten/protokolle/{protocol.pk}/" in page
    client.force_login(bob)
    assert "Jour fixe Vertrieb KW 47" not in client.get("/").content.decode()


def test_demo_events_and_home_card(client, programme) -> None:
    from django.utils import timezone

    from portal.models import User
    from rollout.models import Event, Registration

    full = Event.objects.get(kind="workshop", starts_at__gt=timezone.now())
    assert full.seats_taken == full.capacity
    assert Registration.objects.filter(event=full, status="waitlisted").count() == 3
    client.force_login(User.objects.get(email="alice@hallberg.example"))
    page = client.get("/").content.decode()
    # The next session of the fortnightly series is always 4–10 days away.
    assert "Community-Runde: Erfahrungen aus den Teams" in page
    assert "/termine/" in page
