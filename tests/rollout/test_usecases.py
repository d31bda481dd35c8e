"""Logging and editing use cases: forms in German format, bad input as clear errors,
escaping, the overview with its filters and impact, the board, access to the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.models import AuditEntry, User
from rollout.models import Phase, Programme, UseCase
from rollout.usecases.risk import questionnaire_answers
from rollout.usecases.services import usecase_create

pytestmark = pytest.mark.django_db
MINIMAL = questionnaire_answers(prohibited=False, high_risk=False, transparency=False)
HIGH = questionnaire_answers(prohibited=False, high_risk=True, transparency=False)
PROHIBITED = questionnaire_answers(prohibited=True, high_risk=True, transparency=True)
TRANSPARENCY = questionnaire_answers(prohibited=False, high_risk=False, transparency=True)


def make_use_case(owner: User, title: str = "Angebote vorformulieren", **values) -> UseCase:
    """Log a use case through the service (risk classified, audited)."""
    values.setdefault("problem", "Angebote zu schreiben dauert lange.")
    values.setdefault("solution", "Das lokale Modell schreibt einen ersten Entwurf.")
    values.setdefault("risk_answers", MINIMAL)
    return usecase_create(by=owner, title=title, department=owner.department, **values)


def make_programme() -> Programme:
    programme = Programme.objects.create(name="KI im Büroalltag", organisation="Hallberg")
    Phase.objects.create(
        programme=programme,
        number=3,
        kind=Phase.Kind.USE_CASES,
        title="Use Cases",
        goal="…",
        planned_start=date(2026, 1, 1),
        planned_end=date(2026, 6, 30),
    )
    return programme


def form_data(**values) -> dict:
    data = {
        "title": "Reklamationen zusammenfassen",
        "department": "",
        "problem": "Lange Reklamationsmails lesen kostet Zeit.",
        "solution": "Das Modell fasst sie in drei Sätzen zusammen.",
        "assistant": "",
        "tool": "",
        "hours_saved_estimate": "2,5",
        "hours_saved_measured": "",
        "contributors": "",
        "risk_prohibited": "no",
        "risk_high_risk": "no",
        "risk_transparency": "yes",
    }
    return data | values


def test_an_employee_logs_a_use_case_in_german_format(client, alice, bob) -> None:
    client.force_login(alice)
    page = client.get("/anwendungsfaelle/neu/")
    assert page.status_code == 200
    assert 'id="similar-use-cases"' in page.content.decode()
    response = client.post(
        "/anwendungsfaelle/neu/",
        form_data(department=alice.department_id, contributors=f" {bob.email.upper()}\n"),
    )
    assert response.status_code == 302
    use_case = UseCase.objects.get()
    assert response["Location"] == f"/anwendungsfaelle/{use_case.pk}/"
    assert use_case.owner == alice and use_case.status == UseCase.Status.IDEA
    assert use_case.hours_saved_estimate == Decimal("2.5")
    assert use_case.risk == UseCase.Risk.TRANSPARENCY
    assert use_case.risk_answers == TRANSPARENCY
    assert list(use_case.contributors.all()) == [bob]
    assert AuditEntry.objects.filter(action="usecase.created", actor=alice).exists()
    edit = client.get(f"/anwendungsfaelle/{use_case.pk}/bearbeiten/")
    assert 'value="2,5"' in edit.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required"),
        ("title", "   ", "This field is required"),
        ("title", "T" * 201, "at most 200 characters"),
        ("problem", "x" * 5001, "This text has 5001 characters; at most 5000 are allowed."),
        ("solution", "", "This field is required"),
        ("hours_saved_estimate", "-2", "cannot be negative"),
        ("hours_saved_estimate", "abc", "at most one decimal place"),
        ("hours_saved_estimate", "2,55", "at most one decimal place"),
        ("hours_saved_estimate", "1.000", "at most one decimal place"),
        ("hours_saved_measured", "9999999", "too large"),
        ("contributors", "niemand@firma.test", "niemand@firma.test"),
        ("risk_high_risk", "", "Answer this question."),
        ("risk_transparency", "vielleicht", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(
    client, alice, field, value, message
) -> None:
    User.objects.filter(pk=alice.pk).update(preferred_language="en")
    client.force_login(alice)
    response = client.post("/anwendungsfaelle/neu/", form_data(**{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert not UseCase.objects.exists()
    if field == "problem":  # the long text comes back whole, not cut
        assert "x" * 5001 in page
        assert 'maxlength="5000"' not in page


@pytest.mark.parametrize("typed", ["2,5", "2.5", " 2,5 ", "12", "0"])
def test_hours_in_german_or_plain_format(client, alice, typed) -> None:
    client.force_login(alice)
    client.post("/anwendungsfaelle/neu/", form_data(hours_saved_estimate=typed))
    expected = Decimal(typed.strip().replace(",", "."))
    assert UseCase.objects.get().hours_saved_estimate == expected


def test_html_in_fields_is_rendered_harmless(client, alice, charlie) -> None:
    evil = "<script>alert(1)</script>"
    use_case = make_use_case(
        alice, f"Titel {evil}", problem=f"Problem {evil}", solution=f"Lösung\n{evil}", tool=evil
    )
    client.force_login(charlie)
    for url in (f"/anwendungsfaelle/{use_case.pk}/", "/anwendungsfaelle/"):
        page = client.get(url).content.decode()
        assert evil not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    assert (
        "Lösung<br>&lt;script&gt;"
        in client.get(f"/anwendungsfaelle/{use_case.pk}/").content.decode()
    )


def test_editing_by_owner_contributors_and_admins(client, alice, bob, ada, charlie) -> None:
    use_case = make_use_case(alice, contributors=[bob])
    url = f"/anwendungsfaelle/{use_case.pk}/bearbeiten/"
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(title="Übernommen")).status_code == 403
    for person, title in ((bob, "Von Bob"), (ada, "Von Ada"), (alice, "Von Alice")):
        client.force_login(person)
        response = client.post(url, form_data(title=title, contributors=bob.email))
        assert response.status_code == 302, person
        use_case.refresh_from_db()
        assert use_case.title == title
    assert AuditEntry.objects.filter(action="usecase.updated").count() == 3
    assert client.get("/anwendungsfaelle/999999/bearbeiten/").status_code == 404
    assert client.get("/anwendungsfaelle/999999/").status_code == 404


def test_editing_nothing_records_nothing(client, alice) -> None:
    use_case = make_use_case(alice, hours_saved_estimate=Decimal("2.5"))
    client.force_login(alice)
    data = form_data(
        title=use_case.title,
        problem=use_case.problem,
        solution=use_case.solution,
        department=alice.department_id,
        risk_transparency="no",
    )
    assert client.post(f"/anwendungsfaelle/{use_case.pk}/bearbeiten/", data).status_code == 302
    assert not AuditEntry.objects.filter(action="usecase.updated").exists()


def test_the_questionnaire_is_fixed_once_the_pilot_starts(client, alice, rita) -> None:
    from rollout.usecases.workflow import usecase_transition

    use_case = make_use_case(alice)
    usecase_transition(use_case=use_case, by=alice, to=UseCase.Status.IN_REVIEW)
    client.force_login(alice)
    assert (
        "risk_high_risk"
        in client.get(f"/anwendungsfaelle/{use_case.pk}/bearbeiten/").content.decode()
    )
    usecase_transition(use_case=use_case, by=rita, to=UseCase.Status.PILOT)
    page = client.get(f"/anwendungsfaelle/{use_case.pk}/bearbeiten/").content.decode()
    assert "risk_high_risk" not in page
    data = {
        k: v for k, v in form_data(hours_saved_measured="3,5").items() if not k.startswith("risk_")
    }
    assert client.post(f"/anwendungsfaelle/{use_case.pk}/bearbeiten/", data).status_code == 302
    use_case.refresh_from_db()
    assert use_case.hours_saved_measured == Decimal("3.5") and use_case.risk == "minimal"


def test_overview_filters_and_sorts_in_few_queries(
    client, alice, bob, charlie, django_assert_num_queries
) -> None:
    from rollout.models import UseCaseVote

    first = make_use_case(bob, "Angebote vorformulieren")
    second = make_use_case(alice, "Reklamationen zusammenfassen", personal_data=True)
    third = make_use_case(bob, "Chatbot für Passwörter", risk_answers=TRANSPARENCY)
    UseCase.objects.filter(pk=first.pk).update(updated_at=timezone.now())
    for voter in (alice, charlie):
        UseCaseVote.objects.create(use_case=third, user=voter)
    client.force_login(alice)

    def titles(query: str = "") -> list[str]:
        page = client.get(f"/anwendungsfaelle/{query}")
        assert page.status_code == 200
        return [u.title for u in page.context["page"]]

    assert titles() == [first.title, third.title, second.title]
    assert titles("?sort=votes")[0] == third.title
    assert titles("?risk=transparency") == [third.title]
    assert titles(f"?department={alice.department_id}") == [second.title]
    assert titles("?mine=1") == [second.title]
    assert titles("?status=pilot") == []
    assert len(titles("?status=nonsense&risk=<b>&department=abc&sort=x")) == 3
    with django_assert_num_queries(7):
        client.get("/anwendungsfaelle/")
    for n in range(10):
        make_use_case(bob, f"Weiterer Anwendungsfall {n}")
    with django_assert_num_queries(7):
        client.get("/anwendungsfaelle/")
