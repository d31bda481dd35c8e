"""Stakeholder groups and the group × phase matrix: admins edit, the works council reads."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEntry
from rollout.models import Phase, Programme, StakeholderGroup, StakeholderStatus

pytestmark = pytest.mark.django_db
Level = StakeholderStatus.Level


@pytest.fixture
def programme() -> Programme:
    programme = Programme.objects.create(name="KI im Büroalltag", organisation="Hallberg")
    for number, kind in enumerate(Phase.Kind.values, start=1):
        Phase.objects.create(
            programme=programme,
            number=number,
            kind=kind,
            title=f"Phase {number}",
            goal="…",
            planned_start=date(2026, number, 1),
            planned_end=date(2026, number, 28),
        )
    return programme


@pytest.fixture
def group(programme, walter) -> StakeholderGroup:
    return StakeholderGroup.objects.create(
        programme=programme,
        name="Betriebsrat & Datenschutz",
        kind=StakeholderGroup.Kind.WORKS_COUNCIL,
        contact=walter,
        concerns="Keine Leistungskontrolle",
    )


def _phase(programme: Programme, number: int) -> Phase:
    return programme.phases.get(number=number)


def test_works_council_reads_matrix_and_open_concerns_without_edit_links(
    client, walter, group, programme
) -> None:
    StakeholderStatus.objects.create(
        group=group, phase=_phase(programme, 5), level=Level.CONCERNS, note="Aufbewahrung"
    )
    client.force_login(walter)
    response = client.get("/gremien/stakeholder/")
    page = response.content.decode()
    assert "Betriebsrat &amp; Datenschutz" in page and "Aufbewahrung" in page
    assert [s.note for s in response.context["open_concerns"]] == ["Aufbewahrung"]
    assert "/bearbeiten/" not in page and "/phasen/" not in page


def test_admin_creates_group_and_duplicate_name_is_a_form_error(client, ada, programme) -> None:
    client.force_login(ada)
    data = {"name": "IT & Informationssicherheit", "kind": "it_security", "concerns": ""}
    response = client.post("/gremien/stakeholder/neu/", data)
    assert response.status_code == 302
    group = StakeholderGroup.objects.get()
    assert group.programme == programme
    assert AuditEntry.objects.filter(action="stakeholder.created", actor=ada).count() == 1
    response = client.post(
        "/gremien/stakeholder/neu/", {**data, "name": "it & informationssicherheit"}
    )
    assert response.status_code == 200 and response.context["form"].errors["name"]
    response = client.post("/gremien/stakeholder/neu/", {**data, "kind": "nonsense"})
    assert response.context["form"].errors["kind"]
    assert StakeholderGroup.objects.count() == 1


def test_admin_edits_group_and_audit_names_changed_fields(client, ada, group) -> None:
    client.force_login(ada)
    data = {
        "name": group.name,
        "kind": group.kind,
        "contact": group.contact_id,
        "involvement": "Verhandelt die Betriebsvereinbarung",
        "concerns": group.concerns,
    }
    assert client.post(f"/gremien/stakeholder/{group.pk}/bearbeiten/", data).status_code == 302
    group.refresh_from_db()
    assert group.involvement == "Verhandelt die Betriebsvereinbarung"
    entry = AuditEntry.objects.get(action="stakeholder.updated")
    assert entry.details == {"changed": ["involvement"]}
    client.post(f"/gremien/stakeholder/{group.pk}/bearbeiten/", data)
    assert AuditEntry.objects.filter(action="stakeholder.updated").count() == 1


def test_cell_edit_works_without_javascript(client, ada, group, programme) -> None:
    phase = _phase(programme, 3)
    url = f"/gremien/stakeholder/{group.pk}/phasen/{phase.pk}/"
    client.force_login(ada)
    page = client.get(url).content.decode()
    assert "<html" in page and 'name="level"' in page
    response = client.post(url, {"level": Level.INVOLVED, "note": "Im Ethikboard"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/gremien/stakeholder/#group-{group.pk}")
    status = StakeholderStatus.objects.get(group=group, phase=phase)
    assert (status.level, status.note) == (Level.INVOLVED, "Im Ethikboard")
    entry = AuditEntry.objects.get(action="stakeholder.status_set")
    assert entry.details == {"phase": 3, "before": None, "level": "involved"}
    client.post(url, {"level": Level.INVOLVED, "note": "Im Ethikboard"})  # unchanged
    assert AuditEntry.objects.filter(action="stakeholder.status_set").count() == 1


def test_cell_edit_with_htmx_swaps_the_cell(client, ada, group, programme) -> None:
    phase = _phase(programme, 5)
    url = f"/gremien/stakeholder/{group.pk}/phasen/{phase.pk}/"
    htmx = {"HX-Request": "true"}
    client.force_login(ada)
    form = client.get(url, headers=htmx).content.decode()
    assert form.lstrip().startswith("<td") and "<form" in form and "<html" not in form
    cell = client.post(url, {"level": Level.CONCERNS, "note": "BV fehlt"}, headers=htmx)
    text = cell.content.decode()
    assert cell.status_code == 200 and text.lstrip().startswith("<td")
    assert "BV fehlt" in text and "<form" not in text
    invalid = client.post(url, {"level": "maybe"}, headers=htmx)
    assert invalid.status_code == 200 and "<form" in invalid.content.decode()
    assert StakeholderStatus.objects.get(group=group, phase=phase).level == Level.CONCERNS


def test_cell_of_a_phase_of_another_programme_is_404(client, ada, group) -> None:
    other = Programme.objects.create(name="Anderes", organisation="X")
    phase = Phase.objects.create(
        programme=other,
        number=1,
        kind=Phase.Kind.KICKOFF,
        title="Kickoff",
        goal="…",
        planned_start=date(2026, 1, 1),
        planned_end=date(2026, 1, 2),
    )
    client.force_login(ada)
    assert client.get(f"/gremien/stakeholder/{group.pk}/phasen/{phase.pk}/").status_code == 404
    assert client.get("/gremien/stakeholder/999999/bearbeiten/").status_code == 404


def test_delete_is_admin_only_post_only_and_idempotent(client, cast, group) -> None:
    url = f"/gremien/stakeholder/{group.pk}/loeschen/"
    assert client.post(url)["Location"].startswith("/accounts/login/")
    for member in ("alice", "bob", "rita", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.post(url).status_code == 403, member
    client.force_login(cast["ada"])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not StakeholderGroup.objects.exists()
    assert client.post(url, follow=True).status_code == 200
    assert AuditEntry.objects.filter(action="stakeholder.deleted").count() == 1


def test_matrix_runs_a_constant_number_of_queries(client, walter, programme) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/gremien/stakeholder/").status_code == 200
        return len(captured)

    client.force_login(walter)
    StakeholderGroup.objects.create(programme=programme, name="G0", kind="other", contact=walter)
    few = queries()
    for n in range(1, 6):
        group = StakeholderGroup.objects.create(
            programme=programme, name=f"G{n}", kind="other", contact=walter
        )
        for phase in programme.phases.all():
            StakeholderStatus.objects.create(group=group, phase=phase, level=Level.CONCERNS)
    assert queries() == few


def test_demo_governance_is_seeded_once(db) -> None:
    from portal.demo import seed_people
    from rollout.demo.people import seed_governance
    from rollout.demo.programme import seed_programme

    lines: list[str] = []
    for seeder in (seed_people, seed_programme, seed_governance):
        seeder(lines.append)
    counts = (StakeholderGroup.objects.count(), StakeholderStatus.objects.count())
    assert counts == (6, 30)
    assert StakeholderStatus.objects.filter(level=Level.CONCERNS).exists()
    seed_governance(lines.append)
    assert (StakeholderGroup.objects.count(), StakeholderStatus.objects.count()) == counts
