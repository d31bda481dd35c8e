"""Decisions name the use cases they concern; the decision page links them."""

from __future__ import annotations

import pytest

from rollout.models import Decision
from rollout.people import governance as service
from rollout.people.forms_governance import DecisionForm
from tests.rollout.test_usecases import make_programme, make_use_case

pytestmark = pytest.mark.django_db


def test_a_decision_links_use_cases(client, ada, bob, walter) -> None:
    programme = make_programme()
    first = make_use_case(bob, "Protokollgenerator für Teambesprechungen")
    second = make_use_case(bob, "<b>Reklamationen</b>")
    client.force_login(ada)
    response = client.post(
        "/gremien/entscheidungen/neu/",
        {
            "title": "Freigabe Protokollgenerator",
            "decided_on": "2026-03-01",
            "rationale": "Pilot erfolgreich",
            "use_cases": [first.pk, second.pk],
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(programme=programme)
    assert set(decision.use_cases.all()) == {first, second}
    client.force_login(walter)
    page = client.get(f"/gremien/entscheidungen/{decision.pk}/").content.decode()
    assert f'href="/anwendungsfaelle/{first.pk}/"' in page
    assert "&lt;b&gt;Reklamationen&lt;/b&gt;" in page
    use_case_page = client.get(f"/anwendungsfaelle/{first.pk}/").content.decode()
    assert f"/gremien/entscheidungen/{decision.pk}/" in use_case_page


def test_updating_links_is_audited_and_none_leaves_them(ada, bob) -> None:
    programme = make_programme()
    use_case = make_use_case(bob)
    decision = service.decision_create(
        programme=programme,
        by=ada,
        title="Budget",
        decided_on="2026-03-01",
        rationale="…",
        use_cases=[use_case],
    )
    service.decision_update(decision=decision, by=ada, title="Budget 2026")
    assert list(decision.use_cases.all()) == [use_case]
    service.decision_update(decision=decision, by=ada, use_cases=[])
    assert not decision.use_cases.exists()
    assert list(service.decisions(programme)[0].use_cases.all()) == []


def test_an_edit_without_the_current_links_does_not_offer_to_clear_them(bob) -> None:
    programme = make_programme()
    make_use_case(bob)
    assert "use_cases" in DecisionForm(programme=programme).fields
    editing = DecisionForm(programme=programme, initial={"title": "Budget"})
    assert "use_cases" not in editing.fields
    with_links = DecisionForm(programme=programme, initial={"title": "Budget", "use_cases": []})
    assert "use_cases" in with_links.fields
