"""Multipliers: candidates from workshops, confirmation, ending, the directory and its counters."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import AuditEntry, User
from portal.roles import Role
from rollout.models import Event, Multiplier, Registration
from rollout.people import multipliers as service
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _event(kind: str = Event.Kind.WORKSHOP, *, days: int = -30, host: User | None = None) -> Event:
    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        kind=kind,
        title=f"{kind} {days}",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=20,
        host=host,
    )


def _attended(event: Event, user: User, *, checked_in: bool = True) -> Registration:
    return Registration.objects.create(
        event=event,
        user=user,
        status=Registration.Status.CONFIRMED,
        attended_at=event.starts_at + timedelta(minutes=5) if checked_in else None,
    )


def test_candidates_are_checked_in_workshop_attendees_who_are_no_multipliers(
    alice, bob, charlie, rita
) -> None:
    workshop = _event()
    _attended(workshop, alice)
    _attended(workshop, bob)  # already a multiplier
    _attended(workshop, charlie, checked_in=False)  # registered, never came
    _attended(_event(Event.Kind.KICKOFF), rita)  # a kickoff does not qualify
    candidates = service.multiplier_candidates()
    assert [(r.user, r.event) for r in candidates] == [(alice, workshop)]


def test_admin_page_lists_candidates_with_workshop_and_date(client, ada, alice) -> None:
    workshop = _event()
    _attended(workshop, alice)
    client.force_login(ada)
    page = client.get("/multiplikatoren/verwalten/").content.decode()
    assert "Alice Schneider" in page
    assert workshop.title in page
    assert f"/multiplikatoren/verwalten/{alice.pk}/bestaetigen/" in page


def test_confirm_adds_record_and_role_and_keeps_other_roles(client, ada, rita) -> None:
    workshop = _event()
    _attended(workshop, rita)
    client.force_login(ada)
    response = client.post(
        f"/multiplikatoren/verwalten/{rita.pk}/bestaetigen/", {"focus": "Guardrails"}, follow=True
    )
    assert response.status_code == 200
    record = Multiplier.objects.get(user=rita)
    assert (record.source_event, record.confirmed_by, record.focus) == (
        workshop,
        ada,
        "Guardrails",
    )
    assert record.confirmed_at is not None
    rita = User.objects.get(pk=rita.pk)
    assert rita.roles == {Role.EMPLOYEE, Role.REVIEWER, Role.MULTIPLIER}
    assert AuditEntry.objects.filter(action="multiplier.confirmed", actor=ada).count() == 1
    assert AuditEntry.objects.filter(action="roles.changed", target_id=str(rita.pk)).exists()
    assert service.multiplier_candidates() == []


def test_double_confirm_gives_a_message_not_an_error(client, ada, alice) -> None:
    _attended(_event(), alice)
    client.force_login(ada)
    url = f"/multiplikatoren/verwalten/{alice.pk}/bestaetigen/"
    client.post(url)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "bereits" in response.content.decode() or "already" in response.content.decode()
    assert Multiplier.objects.filter(user=alice).count() == 1
    assert AuditEntry.objects.filter(action="multiplier.confirmed").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_confirming_at_once_make_one_multiplier() -> None:
    admins = [UserFactory(roles=[Role.PROGRAMME_ADMIN]) for _ in range(2)]
    person = UserFactory()
    start = threading.Barrier(len(admins))
    outcomes: list[str] = []

    def confirm(admin: User) -> None:
        try:
            start.wait()
            service.multiplier_confirm(user=person, by=admin)
            outcomes.append("confirmed")
        except service.MultiplierError:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(admin,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already", "confirmed"]
    assert Multiplier.objects.filter(user=person).count() == 1
    assert AuditEntry.objects.filter(action="multiplier.confirmed").count() == 1


def test_confirm_without_workshop(client, ada, charlie) -> None:
    client.force_login(ada)
    response = client.post(
        "/multiplikatoren/verwalten/hinzufuegen/", {"user": charlie.pk, "focus": "Support"}
    )
    assert response.status_code == 302
    record = Multiplier.objects.get(user=charlie)
    assert record.source_event is None and record.confirmed_by == ada
    assert User.objects.get(pk=charlie.pk).has_role(Role.MULTIPLIER)


def test_add_form_refuses_unknown_person_and_overlong_focus(client, ada, charlie) -> None:
    client.force_login(ada)
    response = client.post("/multiplikatoren/verwalten/hinzufuegen/", {"user": 999999})
    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    response = client.post(
        "/multiplikatoren/verwalten/hinzufuegen/", {"user": charlie.pk, "focus": "x" * 301}
    )
    assert response.context["form"].errors["focus"]
    assert not Multiplier.objects.exists()


def test_bob_without_record_can_be_recorded_and_is_not_offered_twice(ada, bob) -> None:
    from rollout.people.forms import MultiplierAddForm

    assert bob in MultiplierAddForm().fields["user"].queryset  # role, but no record yet
    service.multiplier_confirm(user=bob, by=ada)
    assert bob not in MultiplierAddForm().fields["user"].queryset
    with pytest.raises(service.MultiplierError):
        service.multiplier_confirm(user=bob, by=ada)


def test_end_removes_role_and_record_and_is_idempotent(client, ada, alice) -> None:
    service.multiplier_confirm(user=alice, by=ada, focus="Vertrieb")
    client.force_login(ada)
    url = f"/multiplikatoren/verwalten/{alice.pk}/beenden/"
    assert client.post(url).status_code == 302
    assert not Multiplier.objects.filter(user=alice).exists()
    assert User.objects.get(pk=alice.pk).roles == {Role.EMPLOYEE}
    assert AuditEntry.objects.filter(action="multiplier.ended").count() == 1
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="multiplier.ended").count() == 1


def test_dismissed_candidate_returns_after_another_workshop(client, ada, alice) -> None:
    _attended(_event(days=-60), alice)
    client.force_login(ada)
    url = f"/multiplikatoren/verwalten/{alice.pk}/verwerfen/"
    assert client.post(url).status_code == 302
    assert service.multiplier_candidates() == []
    assert client.post(url, follow=True).status_code == 200  # twice: a message, no second entry
    assert AuditEntry.objects.filter(action=service.DISMISSED).count() == 1
    later = _event(days=-1)
    registration = _attended(later, alice)
    Registration.objects.filter(pk=registration.pk).update(attended_at=timezone.now())
    assert [r.event for r in service.multiplier_candidates()] == [later]


@pytest.mark.parametrize("step", ["bestaetigen", "verwerfen", "beenden"])
def test_admin_steps_are_post_only_and_admin_only(client, cast, step: str) -> None:
    url = f"/multiplikatoren/verwalten/{cast['alice'].pk}/{step}/"
    assert client.post(url)["Location"].startswith("/accounts/login/")
    for member in ("alice", "bob", "rita", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.post(url).status_code == 403, member
    client.force_login(cast["ada"])
    assert client.get(url).status_code == 405
    assert client.post("/multiplikatoren/verwalten/999999/beenden/").status_code == 404
    assert not Multiplier.objects.exists()


def test_directory_shows_department_focus_and_hosted_sessions(client, alice, bob, ada) -> None:
    service.multiplier_focus_set(user=bob, focus="Technische Dokumentation")
    _event(Event.Kind.WORKSHOP, days=-40, host=bob)
    _event(Event.Kind.TRAINING, days=-20, host=bob)
    _event(Event.Kind.COMMUNITY_ROUND, days=-10, host=bob)
    _event(Event.Kind.COMMUNITY_ROUND, days=5, host=bob)  # not held yet
    client.force_login(alice)
    response = client.get("/multiplikatoren/")
    groups = response.context["groups"]
    assert [(name, [p.name for p in people]) for name, people in groups] == [
        ("Konstruktion", ["Bob Wagner"])
    ]
    person = groups[0][1][0]
    figures = {str(label): count for label, count in person.activities}
    # workshops/trainings held, rounds hosted; then use cases logged, office-hour slots held
    assert list(figures.values()) == [2, 1, 0, 0]
    page = response.content.decode()
    assert "Technische Dokumentation" in page and "mailto:bob@firma.test" in page


def test_directory_puts_own_department_first_and_filters(client, alice, bob) -> None:
    sales = alice.department
    colleague = UserFactory(name="Anna Vertrieb", department=sales, roles=[Role.MULTIPLIER])
    client.force_login(alice)
    groups = client.get("/multiplikatoren/").context["groups"]
    assert [name for name, _people in groups] == ["Vertrieb", "Konstruktion"]
    filtered = client.get(f"/multiplikatoren/?department={bob.department_id}")
    assert [p for _n, people in filtered.context["groups"] for p in people] == [bob]
    partial = client.get(f"/multiplikatoren/?department={sales.pk}", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert colleague.name in partial.content.decode()
    assert client.get("/multiplikatoren/?department=abc").status_code == 200


def test_directory_runs_a_constant_number_of_queries(client, alice, bob) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/multiplikatoren/").status_code == 200
        return len(captured)

    client.force_login(alice)
    _event(Event.Kind.WORKSHOP, days=-5, host=bob)
    few = queries()
    for n in range(8):
        person = UserFactory(
            department=DepartmentFactory(name=f"Abteilung {n % 3}"), roles=[Role.MULTIPLIER]
        )
        service.multiplier_focus_set(user=person, focus=f"Thema {n}")
        _event(Event.Kind.COMMUNITY_ROUND, days=-n - 1, host=person)
    assert queries() == few


def test_registered_counters_appear_in_the_directory(client, alice, bob) -> None:
    counter = service.ActivityCounter(
        "test_use_cases", "Use cases logged", lambda ids: dict.fromkeys(ids, 7), order=99
    )
    service.register_activity_counter(counter)
    try:
        client.force_login(alice)
        page = client.get("/multiplikatoren/").content.decode()
        assert "Use cases logged" in page
        person = client.get("/multiplikatoren/").context["groups"][0][1][0]
        assert person.activities[-1] == ("Use cases logged", 7)
    finally:
        service._counters[:] = [c for c in service._counters if c.key != "test_use_cases"]


def test_multiplier_edits_own_focus(client, bob) -> None:
    client.force_login(bob)
    assert client.get("/multiplikatoren/mein-schwerpunkt/").status_code == 200
    response = client.post("/multiplikatoren/mein-schwerpunkt/", {"focus": "x" * 301})
    assert response.status_code == 200 and response.context["form"].errors["focus"]
    assert not Multiplier.objects.exists()
    response = client.post("/multiplikatoren/mein-schwerpunkt/", {"focus": " Lastenhefte "})
    assert response.status_code == 302
    assert Multiplier.objects.get(user=bob).focus == "Lastenhefte"
    assert AuditEntry.objects.filter(action="multiplier.focus_changed", actor=bob).count() == 1
    client.post("/multiplikatoren/mein-schwerpunkt/", {"focus": "Lastenhefte"})
    assert AuditEntry.objects.filter(action="multiplier.focus_changed").count() == 1


def test_demo_multipliers_are_seeded_once(db) -> None:
    from portal.demo import seed_people
    from rollout.demo.people import seed_multipliers
    from rollout.demo.programme import seed_events, seed_programme

    lines: list[str] = []
    for seeder in (seed_people, seed_programme, seed_events, seed_multipliers):
        seeder(lines.append)
    holders = set(User.objects.filter(groups__name=Role.MULTIPLIER).values_list("pk", flat=True))
    records = set(Multiplier.objects.values_list("user_id", flat=True))
    assert holders == records
    assert Multiplier.objects.get(user__email__startswith="bob@").focus
    # the demo's past workshops have check-ins: their attendees are the new multipliers
    assert Multiplier.objects.filter(source_event__kind=Event.Kind.WORKSHOP).count() > 5
    assert 2 <= len(service.multiplier_candidates()) <= 3
    seed_multipliers(lines.append)
    assert set(Multiplier.objects.values_list("user_id", flat=True)) == records
