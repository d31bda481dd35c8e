"""Decision log and ethics reviews: amounts typed German style, rules as clear form errors."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from portal.models import AuditEntry
from rollout.models import Decision, EthicsReview, Phase, Programme
from rollout.people.forms_governance import DecisionForm, parse_euro

pytestmark = pytest.mark.django_db
Outcome = EthicsReview.Outcome


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.500,00", "12500.00"),
        ("12500", "12500.00"),
        ("12.500", "12500.00"),
        ("12500,5", "12500.50"),
        ("1.250.000", "1250000.00"),
        ("12.500,- €", "12500.00"),
        ("12 500 EUR", "12500.00"),
        ("12,500.00", "12500.00"),
        ("0", "0.00"),
    ],
)
def test_parse_euro_reads_german_and_plain_input(text: str, expected: str) -> None:
    assert parse_euro(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "12,500", "12.5000", "1.2345,00", "12,,5", "1.250,000.00"])
def test_parse_euro_refuses_what_it_cannot_read_for_sure(text: str) -> None:
    with pytest.raises(ValueError):
        parse_euro(text)


def test_english_interface_reads_a_comma_as_thousands(programme) -> None:
    data = {"title": "T", "decided_on": "2026-03-01", "rationale": "R", "budget_eur": "12,500"}
    with translation.override("en"):
        form = DecisionForm(data, programme=programme)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["budget_eur"] == Decimal("12500.00")


def _decision_data(programme: Programme, **values) -> dict:
    return {
        "title": "Lokales Sprachmodell statt Cloud-Dienst",
        "decided_on": "2026-02-10",
        "rationale": "Daten bleiben im Haus.",
        "budget_eur": "",
        "risks": "Betriebsaufwand",
        "phases": [_phase(programme, 5).pk],
        **values,
    }


def _phase(programme: Programme, number: int) -> Phase:
    return programme.phases.get(number=number)


@pytest.mark.parametrize("budget", ["12.500,00", "12500"])
def test_admin_records_a_decision_with_german_budget(client, ada, programme, budget) -> None:
    client.force_login(ada)
    response = client.post(
        "/gremien/entscheidungen/neu/", _decision_data(programme, budget_eur=budget)
    )
    decision = Decision.objects.get()
    assert response["Location"] == f"/gremien/entscheidungen/{decision.pk}/"
    assert decision.budget_eur == Decimal("12500.00")
    assert list(decision.phases.all()) == [_phase(programme, 5)]
    assert decision.recorded_by == ada
    entry = AuditEntry.objects.get(action="decision.created")
    assert entry.actor == ada and entry.details == {"budget_eur": "12500.00"}
    page = client.get(f"/gremien/entscheidungen/{decision.pk}/").content.decode()
    assert "12.500,00 €" in page  # German figures on the page


@pytest.mark.parametrize(
    ("budget", "field"),
    [("zwölftausend", "budget_eur"), ("-5", "budget_eur"), ("99.999.999.999", "budget_eur")],
)
def test_bad_budget_is_a_form_error_and_nothing_is_saved(
    client, ada, programme, budget, field
) -> None:
    client.force_login(ada)
    response = client.post(
        "/gremien/entscheidungen/neu/", _decision_data(programme, budget_eur=budget)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Decision.objects.exists()
    assert not AuditEntry.objects.filter(action="decision.created").exists()


def test_missing_fields_and_foreign_phase_are_form_errors(client, ada, programme) -> None:
    other = Programme.objects.create(name="Anders", organisation="X")
    foreign = Phase.objects.create(
        programme=other,
        number=1,
        kind=Phase.Kind.KICKOFF,
        title="K",
        goal="…",
        planned_start=date(2026, 1, 1),
        planned_end=date(2026, 1, 2),
    )
    client.force_login(ada)
    response = client.post(
        "/gremien/entscheidungen/neu/",
        _decision_data(programme, title="", decided_on="31.02.2026", phases=[foreign.pk]),
    )
    errors = response.context["form"].errors
    assert {"title", "decided_on", "phases"} <= set(errors)
    assert not Decision.objects.exists()


def test_edit_records_which_fields_changed(client, ada, programme) -> None:
    client.force_login(ada)
    client.post("/gremien/entscheidungen/neu/", _decision_data(programme))
    decision = Decision.objects.get()
    url = f"/gremien/entscheidungen/{decision.pk}/bearbeiten/"
    form_page = client.get(url)
    assert form_page.context["form"].initial["phases"] == [_phase(programme, 5)]
    changed = _decision_data(programme, budget_eur="40.000", phases=[_phase(programme, 3).pk])
    assert client.post(url, changed).status_code == 302
    decision.refresh_from_db()
    assert decision.budget_eur == Decimal("40000.00")
    assert list(decision.phases.all()) == [_phase(programme, 3)]
    entry = AuditEntry.objects.get(action="decision.updated")
    assert entry.details == {"changed": ["budget_eur", "phases"]}
    client.post(url, changed)
    assert AuditEntry.objects.filter(action="decision.updated").count() == 1
    assert "40.000,00" in client.get(url).content.decode()  # shown the German way


def test_list_is_newest_first_and_filters_by_phase(client, walter, programme) -> None:
    old = Decision.objects.create(
        programme=programme, title="Alt", decided_on=date(2026, 1, 1), rationale="…"
    )
    new = Decision.objects.create(
        programme=programme, title="Neu", decided_on=date(2026, 3, 1), rationale="…"
    )
    old.phases.add(_phase(programme, 2))
    client.force_login(walter)
    response = client.get("/gremien/entscheidungen/")
    assert list(response.context["page"]) == [new, old]
    assert "/bearbeiten/" not in response.content.decode()  # the works council reads only
    filtered = client.get(f"/gremien/entscheidungen/?phase={_phase(programme, 2).pk}")
    assert list(filtered.context["page"]) == [old]
    assert client.get("/gremien/entscheidungen/?phase=x").status_code == 200


def _review_data(programme: Programme, **values) -> dict:
    return {
        "subject": "Protokollgenerator",
        "fairness": "Alle gleich",
        "bias": "Dialekte",
        "staff_effects": "Entlastung",
        "outcome": Outcome.PENDING,
        "conditions": "",
        "reviewed_on": "",
        "phase": _phase(programme, 5).pk,
        **values,
    }


def test_conditions_required_for_approval_with_conditions(client, ada, programme) -> None:
    client.force_login(ada)
    response = client.post(
        "/gremien/ethik/neu/",
        _review_data(
            programme, outcome=Outcome.CONDITIONS, conditions="  ", reviewed_on="2026-01-10"
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["conditions"]
    assert not EthicsReview.objects.exists()


@pytest.mark.parametrize("outcome", [Outcome.APPROVED, Outcome.CONDITIONS, Outcome.REJECTED])
def test_decided_review_needs_a_date(client, ada, programme, outcome) -> None:
    client.force_login(ada)
    response = client.post(
        "/gremien/ethik/neu/", _review_data(programme, outcome=outcome, conditions="Zustimmung")
    )
    assert response.context["form"].errors["reviewed_on"]
    assert not EthicsReview.objects.exists()


def test_review_date_cannot_lie_in_the_future(client, ada, programme) -> None:
    client.force_login(ada)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        "/gremien/ethik/neu/",
        _review_data(programme, outcome=Outcome.APPROVED, reviewed_on=tomorrow),
    )
    assert response.context["form"].errors["reviewed_on"]


def test_review_lifecycle_is_audited(client, ada, walter, programme) -> None:
    client.force_login(ada)
    assert client.post("/gremien/ethik/neu/", _review_data(programme)).status_code == 302
    review = EthicsReview.objects.get()
    assert review.outcome == Outcome.PENDING and review.recorded_by == ada
    conditions = "Keine Leistungs- und Verhaltenskontrolle"
    decided = _review_data(
        programme, outcome=Outcome.CONDITIONS, conditions=conditions, reviewed_on="2026-01-20"
    )
    assert client.post(f"/gremien/ethik/{review.pk}/bearbeiten/", decided).status_code == 302
    review.refresh_from_db()
    assert (review.outcome, review.conditions) == (Outcome.CONDITIONS, conditions)
    entry = AuditEntry.objects.get(action="ethics.updated")
    assert entry.details["before"] == "pending" and entry.details["outcome"] == "conditions"
    assert AuditEntry.objects.filter(action="ethics.created").count() == 1
    client.force_login(walter)
    page = client.get(f"/gremien/ethik/{review.pk}/").content.decode()
    assert conditions in page and "/bearbeiten/" not in page
    listing = client.get(f"/gremien/ethik/?outcome=conditions&phase={_phase(programme, 5).pk}")
    assert list(listing.context["page"]) == [review]
    assert list(client.get("/gremien/ethik/?outcome=rejected").context["page"]) == []


def test_overview_shows_the_latest_few_of_each(client, walter, programme) -> None:
    for n in range(5):
        Decision.objects.create(
            programme=programme,
            title=f"Beschluss {n}",
            decided_on=date(2026, 1, n + 1),
            rationale="…",
        )
    EthicsReview.objects.create(programme=programme, subject="Antwortvorschläge")
    client.force_login(walter)
    response = client.get("/gremien/")
    assert [d.title for d in response.context["decisions"]] == [
        "Beschluss 4",
        "Beschluss 3",
        "Beschluss 2",
    ]
    page = response.content.decode()
    assert "Antwortvorschläge" in page
    for url in ("/gremien/entscheidungen/", "/gremien/ethik/", "/gremien/stakeholder/"):
        assert url in page


def test_pages_without_a_programme(client, ada) -> None:
    client.force_login(ada)
    assert client.get("/gremien/").status_code == 200
    assert client.get("/gremien/entscheidungen/").status_code == 404
    assert client.get("/gremien/stakeholder/").status_code == 200


def test_demo_decisions_and_reviews(db) -> None:
    from portal.demo import seed_people
    from rollout.demo.people import seed_governance
    from rollout.demo.programme import seed_programme

    lines: list[str] = []
    for seeder in (seed_people, seed_programme, seed_governance, seed_governance):
        seeder(lines.append)
    assert 5 <= Decision.objects.count() <= 6
    assert set(EthicsReview.objects.values_list("outcome", flat=True)) == set(Outcome.values)
    protocol = EthicsReview.objects.get(subject__startswith="Protokollgenerator")
    assert "Zustimmung der Teilnehmenden" in protocol.conditions
    assert Decision.objects.filter(budget_eur__gt=0).exists()
    assert all(d.phases.exists() for d in Decision.objects.all())


def test_report_facts_name_decisions_reviews_and_concerns(ada, programme) -> None:
    from rollout.people.governance import governance_facts
    from rollout.people.stakeholders import stakeholder_group_create, stakeholder_status_set

    Decision.objects.create(
        programme=programme,
        title="GPU-Server",
        decided_on=date(2026, 2, 1),
        rationale="…",
        budget_eur=Decimal("38500"),
    )
    EthicsReview.objects.create(
        programme=programme,
        subject="Protokollgenerator",
        outcome=Outcome.CONDITIONS,
        conditions="Zustimmung der Teilnehmenden",
        reviewed_on=date(2026, 2, 3),
    )
    group = stakeholder_group_create(programme=programme, by=ada, name="IT", kind="it_security")
    stakeholder_status_set(
        group=group, phase=_phase(programme, 5), level="concerns", note="Last", by=ada
    )
    [(heading, lines)] = governance_facts()
    assert heading == "Multiplikatoren und Gremien"
    text = "\n".join(lines)
    assert "GPU-Server" in text and "38.500,00 €" in text
    assert "Zustimmung der Teilnehmenden" in text
    assert "Offene Bedenken: IT in Phase 5: Last" in text


def test_double_submission_gives_a_form_error_not_a_second_record(client, ada, programme) -> None:
    client.force_login(ada)
    data = _decision_data(programme)
    assert client.post("/gremien/entscheidungen/neu/", data).status_code == 302
    again = client.post("/gremien/entscheidungen/neu/", data)
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert Decision.objects.count() == 1
    review = _review_data(programme)
    assert client.post("/gremien/ethik/neu/", review).status_code == 302
    again = client.post("/gremien/ethik/neu/", review)
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert EthicsReview.objects.count() == 1
