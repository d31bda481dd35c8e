"""Impact: hours saved per department and month (measured before estimated, only validated
and rolled-out use cases), the two KPIs, the multipliers' counter, the chart."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from portal import audit, registry
from rollout.models import Kpi, UseCase, UseCaseTransition
from rollout.people import multipliers
from rollout.programme import kpis
from rollout.usecases import hooks as usecase_hooks
from rollout.usecases.charts import hours_chart
from rollout.usecases.impact import impact, time_saved, use_cases_validated, usecase_facts
from tests.factories import DepartmentFactory
from tests.rollout.test_usecases import make_use_case

pytestmark = pytest.mark.django_db
S = UseCase.Status
TODAY = date(2026, 5, 20)


def counted(owner, title: str, status: str, validated: date | None, **hours) -> UseCase:
    """A use case in `status`; validated on that day (a transition row), if given."""
    use_case = make_use_case(owner, title, **hours)
    UseCase.objects.filter(pk=use_case.pk).update(status=status)
    if validated is not None:
        step = UseCaseTransition.objects.create(
            use_case=use_case, from_status=S.PILOT, to_status=S.VALIDATED
        )
        at = timezone.make_aware(datetime(validated.year, validated.month, validated.day, 12))
        UseCaseTransition.objects.filter(pk=step.pk).update(at=at)
    return use_case


@pytest.fixture
def portfolio(alice, bob, charlie) -> None:
    h = Decimal
    counted(bob, "A", S.VALIDATED, date(2026, 5, 3), hours_saved_estimate=h("4"))
    counted(bob, "B", S.ROLLED_OUT, date(2026, 3, 9), hours_saved_estimate=h("9"),
            hours_saved_measured=h("2.5"))  # fmt: skip
    counted(alice, "C", S.ROLLED_OUT, date(2025, 6, 1), hours_saved_estimate=h("1.5"))
    counted(alice, "D", S.PILOT, None, hours_saved_estimate=h("20"))  # not counted
    counted(charlie, "E", S.IDEA, None, hours_saved_estimate=h("30"))  # not counted
    counted(charlie, "F", S.VALIDATED, date(2026, 5, 1))  # no hours known


def test_hours_per_department_and_month(portfolio, alice, bob, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        result = impact(today=TODAY)
    assert result.months == [date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 6)]
    rows = {r.department: r for r in result.rows}
    assert [r.department for r in result.rows] == ["Konstruktion", "Vertrieb", "Kundenservice"]
    assert rows["Konstruktion"].months == [0, 0, 0, Decimal("2.5"), 0, Decimal("4")]
    assert rows["Konstruktion"].total == Decimal("6.5")  # measured 2.5 beats the estimate 9
    assert rows["Vertrieb"].months == [0] * 6 and rows["Vertrieb"].total == Decimal("1.5")
    assert (rows["Kundenservice"].total, rows["Kundenservice"].use_cases) == (0, 1)
    assert result.total.total == Decimal("8.0") and result.total.use_cases == 4


def test_a_use_case_without_history_counts_in_the_month_of_its_last_change(bob) -> None:
    use_case = make_use_case(bob, hours_saved_estimate=Decimal("3"))
    UseCase.objects.filter(pk=use_case.pk).update(
        status=S.VALIDATED, status_changed_at=timezone.make_aware(datetime(2026, 4, 2, 9))
    )
    (row,) = impact(today=TODAY).rows
    assert row.months[-2] == Decimal("3")


def test_kpis_and_counter_once_registered(
    portfolio, alice, bob, charlie, monkeypatch, django_assert_num_queries
) -> None:
    for metric in (Kpi.Metric.USE_CASES_VALIDATED, Kpi.Metric.TIME_SAVED):
        monkeypatch.setitem(kpis.METRICS, metric, kpis.METRICS[metric])
    monkeypatch.setattr(multipliers, "_counters", list(multipliers._counters))
    monkeypatch.setattr(registry, "report_fact_providers", list(registry.report_fact_providers))
    monkeypatch.setattr(audit, "ACTION_LABELS", dict(audit.ACTION_LABELS))
    usecase_hooks.register()
    assert usecase_facts in registry.report_fact_providers
    assert audit.action_label("usecase.status_changed") != "usecase.status_changed"
    metrics = [Kpi.Metric.USE_CASES_VALIDATED, Kpi.Metric.TIME_SAVED]
    with django_assert_num_queries(2):
        readings = kpis.compute_actuals(metrics, TODAY)
    validated, hours = readings[metrics[0]], readings[metrics[1]]
    assert (validated.value, hours.value) == (4, Decimal("8.0"))
    with translation.override("en"):
        assert kpis.describe(metrics[0], validated) == "4 use cases validated"
        assert kpis.describe(metrics[1], hours) == (
            "8.0 hours per week saved by 4 validated use cases"
        )
    labels = [str(c.label) for c in multipliers.activity_counters()]
    with translation.override("en"):
        assert "Use cases logged" in [str(c.label) for c in multipliers.activity_counters()]
    assert len(labels) == len(set(labels))
    (group,) = [people for _name, people in multipliers.multiplier_directory() if people]
    (person,) = group
    assert person == bob
    with translation.override("en"):
        activities = dict((str(label), n) for label, n in person.activities)
    assert activities["Use cases logged"] == 2


def test_no_use_cases_no_kpi_value() -> None:
    assert use_cases_validated(TODAY) is None and time_saved(TODAY) is None


def test_overview_shows_the_impact_table_and_chart(portfolio, client, alice) -> None:
    client.force_login(alice)
    page = client.get("/anwendungsfaelle/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars"' in page
    assert "<tfoot>" in page and "8,0" in page


def test_hours_chart_escapes_labels() -> None:
    department = DepartmentFactory(name="<script>x</script>")
    svg = hours_chart([(department.name, Decimal("2.5"))], title="<T>", desc="d")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;T&gt;" in svg


def test_a_change_of_the_kpis_drops_the_cached_dashboard(
    bob, rita, django_capture_on_commit_callbacks
) -> None:
    from django.core.cache import cache

    from rollout.programme.selectors import dashboard_cache_key
    from rollout.usecases.services import usecase_update
    from rollout.usecases.workflow import usecase_transition, validation_record
    from tests.rollout.test_usecase_workflow import ALL_CHECKS, to_pilot
    from tests.rollout.test_usecases import make_programme

    programme = make_programme()
    key = dashboard_cache_key(programme.pk, "de", timezone.localdate())
    use_case = to_pilot(make_use_case(bob), bob, rita)
    validation_record(use_case=use_case, by=rita, **ALL_CHECKS)

    def committed(change) -> None:
        """Run the change and its after-commit callbacks, except queued tasks."""
        with django_capture_on_commit_callbacks() as callbacks:
            change()
        for callback in callbacks:
            if not hasattr(getattr(callback, "func", None), "__self__"):
                callback()

    cache.set(key, "alt")
    committed(lambda: usecase_update(use_case=use_case, by=bob, hours_saved_measured=Decimal(2)))
    assert cache.get(key) == "alt"  # a pilot's hours do not count yet
    committed(lambda: usecase_transition(use_case=use_case, by=rita, to=S.VALIDATED))
    assert cache.get(key) is None
    cache.set(key, "alt")
    committed(lambda: usecase_update(use_case=use_case, by=bob, hours_saved_measured=Decimal(3)))
    assert cache.get(key) is None


def test_report_facts_in_german(portfolio) -> None:
    assert usecase_facts()[0][0] == "Use Cases"
    lines = usecase_facts()[0][1]
    assert lines[0].startswith("Use Cases: 6 erfasst (")
    assert lines[1] == (
        "Validiert oder eingeführt: 4, eingesparte Zeit 8,0 Stunden pro Woche "
        "(gemessen, sonst geschätzt)"
    )
    assert lines[2] == "Konstruktion: 6,5 Stunden pro Woche"


def test_no_facts_without_use_cases() -> None:
    assert usecase_facts() == []


def test_text_changes_schedule_the_embedding(
    bob, settings, django_capture_on_commit_callbacks
) -> None:
    from rollout.usecases.services import usecase_update

    settings.EMBEDDING_MODEL_PATH = "/nonexistent/model.gguf"

    def embeds(callbacks) -> list:
        return [
            c.args
            for c in callbacks
            if getattr(getattr(c, "func", None), "__self__", None) is not None
            and c.func.__self__.name.endswith("use_case_embed")
        ]

    with django_capture_on_commit_callbacks() as callbacks:
        use_case = make_use_case(bob)
    assert embeds(callbacks) == [(use_case.pk,)]
    with django_capture_on_commit_callbacks() as callbacks:
        usecase_update(use_case=use_case, by=bob, hours_saved_estimate=Decimal(2))
    assert embeds(callbacks) == []
    with django_capture_on_commit_callbacks() as callbacks:
        usecase_update(use_case=use_case, by=bob, solution="Ein neuer Lösungsweg.")
    assert embeds(callbacks) == [(use_case.pk,)]
