"""Programme admins change phases, milestones and KPIs: validation, transitions, audit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from portal.models import AuditEntry
from rollout.models import Kpi, KpiMeasurement, Milestone, Phase
from rollout.programme.forms import KpiForm, normalise_decimal
from rollout.programme.kpis import METRICS
from tests.rollout.access_programme import build_programme


@pytest.fixture
def programme(db):
    return build_programme()


def _phase_form(phase: Phase, **changes) -> dict:
    data = {
        "title": phase.title,
        "goal": phase.goal,
        "owner": phase.owner_id or "",
        "status": phase.status,
        "planned_start": phase.planned_start.isoformat(),
        "planned_end": phase.planned_end.isoformat(),
    }
    return data | changes


def _actions(target) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(target.pk), target_type=target._meta.label_lower)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_phase_status_goes_planned_active_done_and_back(client, ada, programme) -> None:
    client.force_login(ada)
    phase = programme.phases.get(number=5)
    url = f"/programm/phasen/{phase.pk}/"
    today = timezone.localdate()

    # planned → done skips a step: the choice is not offered
    response = client.post(url, _phase_form(phase, status="done"))
    assert response.status_code == 200 and "status" in response.context["form"].errors
    phase.refresh_from_db()
    assert phase.status == "planned"

    assert client.post(url, _phase_form(phase, status="active", owner=ada.pk)).status_code == 302
    phase.refresh_from_db()
    assert (phase.status, phase.actual_start, phase.owner) == ("active", today, ada)

    client.post(url, _phase_form(phase, status="done"))
    phase.refresh_from_db()
    assert (phase.status, phase.actual_end) == ("done", today)

    client.post(url, _phase_form(phase, status="active"))  # reopened
    phase.refresh_from_db()
    assert (phase.status, phase.actual_start, phase.actual_end) == ("active", today, None)
    assert _actions(phase) == ["phase.activated", "phase.completed", "phase.reopened"]


@pytest.mark.django_db
def test_phase_dates_must_be_in_order(client, ada, programme) -> None:
    client.force_login(ada)
    phase = programme.phases.get(number=3)
    before = (phase.planned_start, phase.planned_end)
    end = (phase.planned_start - timedelta(days=1)).isoformat()
    response = client.post(f"/programm/phasen/{phase.pk}/", _phase_form(phase, planned_end=end))
    assert response.status_code == 200
    assert "planned_end" in response.context["form"].errors
    phase.refresh_from_db()
    assert (phase.planned_start, phase.planned_end) == before
    assert _actions(phase) == []


@pytest.mark.django_db
def test_phase_edit_without_changes_is_not_audited(client, ada, programme) -> None:
    client.force_login(ada)
    phase = programme.phases.get(number=3)
    assert client.post(f"/programm/phasen/{phase.pk}/", _phase_form(phase)).status_code == 302
    assert _actions(phase) == []
    client.post(f"/programm/phasen/{phase.pk}/", _phase_form(phase, title="Use Cases im Team"))
    assert _actions(phase) == ["phase.updated"]
    assert AuditEntry.objects.get(action="phase.updated").details == {"fields": ["title"]}


@pytest.mark.django_db
def test_milestone_due_date_must_be_near_the_phase(client, ada, programme) -> None:
    client.force_login(ada)
    phase = programme.phases.get(number=3)
    url = f"/programm/phasen/{phase.pk}/meilensteine/neu/"
    far = (phase.planned_end + timedelta(days=400)).isoformat()
    response = client.post(url, {"title": "Zu spät", "due_on": far})
    assert response.status_code == 200 and "due_on" in response.context["form"].errors
    response = client.post(url, {"title": "Ohne Datum", "due_on": "kein Datum"})
    assert "due_on" in response.context["form"].errors
    assert not Milestone.objects.exists()
    due = (phase.planned_end - timedelta(days=3)).isoformat()
    assert client.post(url, {"title": "10 Use Cases eingereicht", "due_on": due}).status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.phase, milestone.due_on.isoformat()) == (phase, due)
    assert _actions(milestone) == ["milestone.created"]

    edit = f"/programm/meilensteine/{milestone.pk}/"
    assert "10 Use Cases" in client.get(edit).content.decode()
    client.post(edit, {"title": "12 Use Cases eingereicht", "due_on": due})
    milestone.refresh_from_db()
    assert milestone.title == "12 Use Cases eingereicht"
    assert _actions(milestone) == ["milestone.created", "milestone.updated"]


@pytest.mark.django_db
def test_mark_done_and_reopen(client, ada, programme) -> None:
    client.force_login(ada)
    milestone = Milestone.objects.create(
        phase=programme.phases.get(number=3), title="Pilot", due_on=timezone.localdate()
    )
    assert client.get(f"/programm/meilensteine/{milestone.pk}/erledigt/").status_code == 405
    assert client.post(f"/programm/meilensteine/{milestone.pk}/erledigt/").status_code == 302
    milestone.refresh_from_db()
    assert (milestone.done_on, milestone.done_by) == (timezone.localdate(), ada)
    client.post(f"/programm/meilensteine/{milestone.pk}/erledigt/")  # a second click
    assert _actions(milestone) == ["milestone.done"]
    client.post(f"/programm/meilensteine/{milestone.pk}/wieder-offen/")
    milestone.refresh_from_db()
    assert (milestone.done_on, milestone.done_by) == (None, None)
    assert _actions(milestone) == ["milestone.done", "milestone.reopened"]


@pytest.mark.django_db
def test_only_programme_admins_mark_milestones(client, cast, programme) -> None:
    milestone = Milestone.objects.create(
        phase=programme.phases.get(number=3), title="Pilot", due_on=timezone.localdate()
    )
    for name in ("alice", "bob", "rita", "walter", "charlie"):
        client.force_login(cast[name])
        for step in ("erledigt", "wieder-offen"):
            response = client.post(f"/programm/meilensteine/{milestone.pk}/{step}/")
            assert response.status_code == 403, (name, step)
    milestone.refresh_from_db()
    assert milestone.done_on is None
    client.logout()
    response = client.post(f"/programm/meilensteine/{milestone.pk}/erledigt/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(cast["ada"])
    assert client.post("/programm/meilensteine/999999/erledigt/").status_code == 404
    assert client.get("/programm/kennzahlen/999999/").status_code == 404


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        (" 80 ", "80"),
        ("1 200", "1200"),
    ],
)
def test_decimal_input_as_people_type_it(typed: str, expected: str) -> None:
    assert normalise_decimal(typed) == expected


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.django_db
def test_kpi_form_takes_german_decimals_in_any_language(language: str) -> None:
    data = {"name": "Zeitersparnis", "metric": "manual", "unit": "hours", "order": 0}
    with translation.override(language):
        form = KpiForm({**data, "target": "12,5", "manual_value": "7,5"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["target"] == Decimal("12.5")
        assert form.cleaned_data["manual_value"] == Decimal("7.5")
        for bad in ("12,55", "-1", "zwölf"):
            form = KpiForm({**data, "target": bad})
            assert not form.is_valid() and "target" in form.errors, bad


@pytest.mark.django_db
def test_kpi_form_rules() -> None:
    base = {"name": "Reichweite", "target": "80", "order": 0}
    form = KpiForm({**base, "metric": "kickoff_reach", "manual_value": "70"})
    assert "manual_value" in form.errors  # computed KPIs take no hand-entered value
    form = KpiForm({**base, "metric": "manual"})
    assert "unit" in form.errors
    form = KpiForm({**base, "metric": "kickoff_reach", "target": "120"})
    assert "target" in form.errors  # more than 100 %
    form = KpiForm({**base, "metric": "multipliers_trained", "target": "120", "unit": "hours"})
    assert form.is_valid() and form.cleaned_data["unit"] == ""


@pytest.mark.django_db
def test_kpi_create_and_enter_a_value_by_hand(client, ada, programme) -> None:
    client.force_login(ada)
    phase = programme.phases.get(number=1)
    data = {"name": "Zufriedenheit Kickoff", "metric": "manual", "unit": "score", "order": 1}
    response = client.post(f"/programm/phasen/{phase.pk}/kennzahlen/neu/", {**data, "target": "4"})
    assert response.status_code == 302
    kpi = Kpi.objects.get()
    assert (kpi.target, kpi.manual_value, kpi.unit) == (Decimal(4), None, "score")
    assert kpi.definition == ""  # shown as the metric's standard one, in the reader's language
    with translation.override(ada.preferred_language):
        standard = str(METRICS["manual"].definition)
    assert standard in client.get("/programm/cockpit/").content.decode()

    client.post(f"/programm/kennzahlen/{kpi.pk}/", {**data, "target": "4", "manual_value": "4,3"})
    kpi.refresh_from_db()
    assert kpi.manual_value == Decimal("4.3")
    (measurement,) = KpiMeasurement.objects.filter(kpi=kpi)
    assert (measurement.measured_on, measurement.value) == (timezone.localdate(), Decimal("4.3"))
    assert _actions(kpi) == ["kpi.created", "kpi.updated", "kpi.value_entered"]

    page = client.get("/programm/").content.decode()
    assert "Zufriedenheit Kickoff" in page and "4,3" in page


@pytest.mark.django_db
def test_kpi_computed_metric_gets_its_own_unit(client, ada, programme) -> None:
    client.force_login(ada)
    phase = programme.phases.get(number=1)
    data = {"name": "Reichweite", "metric": "kickoff_reach", "target": "80", "order": 0}
    assert client.post(f"/programm/phasen/{phase.pk}/kennzahlen/neu/", data).status_code == 302
    kpi = Kpi.objects.get()
    assert kpi.unit == Kpi.Unit.PERCENT
    assert client.get(f"/programm/kennzahlen/{kpi.pk}/").status_code == 200
    response = client.post(f"/programm/kennzahlen/{kpi.pk}/", {**data, "target": "-5"})
    assert response.status_code == 200 and "target" in response.context["form"].errors
    kpi.refresh_from_db()
    assert kpi.target == 80


@pytest.mark.django_db
def test_bad_input_gets_form_errors_and_changes_nothing(client, ada, programme) -> None:
    client.force_login(ada)
    phase = programme.phases.get(number=3)
    for url in (
        f"/programm/phasen/{phase.pk}/kennzahlen/neu/",
        f"/programm/phasen/{phase.pk}/meilensteine/neu/",
        f"/programm/phasen/{phase.pk}/",
    ):
        response = client.post(url, {})
        assert response.status_code == 200 and response.context["form"].errors, url
    nonsense = _phase_form(phase, owner="999999", planned_start="31.02.2026", status="paused")
    response = client.post(f"/programm/phasen/{phase.pk}/", nonsense)
    assert set(response.context["form"].errors) == {"owner", "planned_start", "status"}
    assert not Kpi.objects.exists() and not Milestone.objects.exists()
    assert _actions(phase) == []
