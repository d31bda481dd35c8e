"""The pages of the review: steps with a comment or reason, the checklist, the sign-off,
the board; what the detail page shows to whom; search from the overview without JS."""

from __future__ import annotations

import pytest

from portal.models import User
from portal.roles import Role
from rollout.models import Decision, EthicsReview, UseCase, UseCaseTransition
from rollout.usecases import workflow
from tests.factories import UserFactory
from tests.rollout.test_usecase_workflow import ALL_CHECKS, move, to_pilot
from tests.rollout.test_usecases import HIGH, make_programme, make_use_case

pytestmark = pytest.mark.django_db
S = UseCase.Status


@pytest.fixture(autouse=True)
def _english(cast) -> None:
    User.objects.filter(pk__in=[p.pk for p in cast.values()]).update(preferred_language="en")


def test_submit_page_takes_the_step_with_a_comment(client, alice) -> None:
    use_case = make_use_case(alice)
    client.force_login(alice)
    url = f"/anwendungsfaelle/{use_case.pk}/status/in_review/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="expected" value="idea"' in page.content.decode()
    response = client.post(url, {"expected": "idea", "comment": "Bitte prüfen"})
    assert response.status_code == 302
    step = UseCaseTransition.objects.get()
    assert (step.to_status, step.by, step.comment) == (S.IN_REVIEW, alice, "Bitte prüfen")
    # The same page again, now that the step is done: back to the use case, with a message.
    again = client.get(url, follow=True)
    assert "cannot go from" in again.content.decode()
    assert client.get(f"/anwendungsfaelle/{use_case.pk}/status/unsinn/").status_code == 404


def test_rejecting_without_a_reason_shows_the_error(client, alice, rita) -> None:
    use_case = make_use_case(alice)
    client.force_login(rita)
    url = f"/anwendungsfaelle/{use_case.pk}/status/rejected/"
    response = client.post(url, {"expected": "idea", "comment": "  "})
    assert response.status_code == 200
    assert "a reason is required" in response.content.decode()
    use_case.refresh_from_db()
    assert use_case.status == S.IDEA
    client.post(url, {"expected": "idea", "comment": "Doppelt: siehe Reklamationen"})
    use_case.refresh_from_db()
    assert (use_case.status, use_case.status_reason) == (S.REJECTED, "Doppelt: siehe Reklamationen")


def test_a_stale_page_does_not_move_twice(client, alice, rita, ada) -> None:
    use_case = make_use_case(alice)
    move(use_case, alice, S.IN_REVIEW)
    client.force_login(rita)
    client.post(f"/anwendungsfaelle/{use_case.pk}/status/pilot/", {"expected": "in_review"})
    client.force_login(ada)
    response = client.post(
        f"/anwendungsfaelle/{use_case.pk}/status/parked/", {"expected": "in_review", "comment": "x"}
    )
    assert "Someone else has just moved" in response.content.decode()
    use_case.refresh_from_db()
    assert use_case.status == S.PILOT


def test_validation_needs_the_checklist_page_and_shows_what_is_missing(client, alice, rita) -> None:
    use_case = to_pilot(make_use_case(alice, personal_data=True), alice, rita)
    client.force_login(rita)
    step = client.get(f"/anwendungsfaelle/{use_case.pk}/status/validated/").content.decode()
    assert "must complete the checklist" in step and "data protection must sign" in step
    url = f"/anwendungsfaelle/{use_case.pk}/pruefung/"
    assert 'name="quality_ok"' in client.get(url).content.decode()
    response = client.post(url, {"quality_ok": "on", "data_protection_ok": "on", "notes": "x"})
    assert response.status_code == 302
    assert not use_case.validations.get().complete
    client.post(url, dict.fromkeys(ALL_CHECKS, "on"))
    detail = client.get(f"/anwendungsfaelle/{use_case.pk}/").content.decode()
    assert "must complete the checklist" not in detail
    assert "data protection must sign" in detail
    # The owner of a use case sees no checklist form, even as a reviewer.
    own = to_pilot(make_use_case(rita), rita, UserFactory(roles=[Role.REVIEWER]))
    assert own.status == S.PILOT
    page = client.get(f"/anwendungsfaelle/{own.pk}/pruefung/").content.decode()
    assert 'name="quality_ok"' not in page and "cannot validate their own" in page


def test_works_council_signs_off_on_its_page(client, alice, rita, walter) -> None:
    use_case = to_pilot(make_use_case(alice, personal_data=True), alice, rita)
    client.force_login(walter)
    detail = client.get(f"/anwendungsfaelle/{use_case.pk}/").content.decode()
    assert f"/anwendungsfaelle/{use_case.pk}/datenschutz/" in detail
    url = f"/anwendungsfaelle/{use_case.pk}/datenschutz/"
    assert client.post(url, {"note": "Verzeichnis ergänzt"}).status_code == 302
    assert use_case.signoffs.get().by == walter
    page = client.get(url).content.decode()
    assert "Signed off by Walter Fischer" in page and 'name="note"' not in page
    client.post(url, {"note": "noch einmal"})
    assert use_case.signoffs.count() == 1


def test_detail_page_shows_history_risk_board_and_decisions(client, alice, bob, ada) -> None:
    programme = make_programme()
    use_case = make_use_case(bob, "Vorauswahl von Bewerbungen", risk_answers=HIGH)
    move(use_case, bob, S.PARKED, "Wartet auf die Betriebsvereinbarung")
    decision = Decision.objects.create(
        programme=programme, title="Keine KI in der Personalauswahl", decided_on="2026-03-01",
        rationale="…",
    )  # fmt: skip
    decision.use_cases.add(use_case)
    review = EthicsReview.objects.get(use_case=use_case)
    url = f"/anwendungsfaelle/{use_case.pk}/"
    client.force_login(alice)
    page = client.get(url).content.decode()
    for text in (
        "high risk",
        "Annex III",
        "Wartet auf die Betriebsvereinbarung",
        "Keine KI in der Personalauswahl",
        "under review",
        "idea → parked",
    ):
        assert text in page, text
    # Committee pages are for admins and the works council: others see the names, no links.
    assert f"/gremien/ethik/{review.pk}/" not in page
    assert f"/gremien/entscheidungen/{decision.pk}/" not in page
    client.force_login(ada)
    page = client.get(url).content.decode()
    assert f"/gremien/ethik/{review.pk}/" in page
    assert f"/gremien/entscheidungen/{decision.pk}/" in page


def test_detail_page_offers_each_viewer_their_steps(client, alice, bob, rita, charlie) -> None:
    use_case = make_use_case(alice)
    url = f"/anwendungsfaelle/{use_case.pk}/"
    links = {
        alice: ["status/in_review/", "status/parked/", "bearbeiten/"],
        rita: ["status/parked/", "status/rejected/"],
        charlie: [],
    }
    for person, expected in links.items():
        client.force_login(person)
        page = client.get(url).content.decode()
        for suffix in ("status/in_review/", "status/parked/", "status/rejected/", "bearbeiten/"):
            assert (f"{url}{suffix}" in page) == (suffix in expected), (person, suffix)


def test_board_counts_each_status(client, alice, bob, rita, django_assert_num_queries) -> None:
    for n in range(3):
        make_use_case(bob, f"Idee {n}")
    pilot = to_pilot(make_use_case(alice, "Im Pilot"), alice, rita)
    workflow.validation_record(use_case=pilot, by=rita, **ALL_CHECKS)
    client.force_login(rita)
    with django_assert_num_queries(6):
        response = client.get("/anwendungsfaelle/pipeline/")
    columns = {c.status: c for c in response.context["columns"]}
    assert [c.status for c in response.context["columns"]] == S.values
    assert (columns["idea"].count, columns["pilot"].count, columns["validated"].count) == (3, 1, 0)
    assert [u.title for u in columns["pilot"].cards] == ["Im Pilot"]


def test_search_from_the_overview_works_without_javascript(client, alice, bob) -> None:
    make_use_case(bob, "Reklamationen zusammenfassen", problem="Lange Reklamationsmails.")
    make_use_case(bob, "Angebote vorformulieren", problem="Angebote dauern.")
    client.force_login(alice)
    page = client.get("/anwendungsfaelle/?q=Reklamationen")
    assert page.status_code == 200
    titles = [hit.use_case.title for hit in page.context["hits"]]
    assert titles == ["Reklamationen zusammenfassen"]
    assert "<mark>" in page.content.decode()
    filtered = client.get("/anwendungsfaelle/?q=Reklamationen&status=pilot")
    assert filtered.context["hits"] == []
    overview = client.get("/anwendungsfaelle/").content.decode()
    assert 'hx-get="/anwendungsfaelle/suche/"' in overview
    assert 'hx-include="#usecase-filters"' in overview
