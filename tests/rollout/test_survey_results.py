"""Survey results: the k-threshold on every view and the export, groups, free text, trend."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from portal.models import Department
from rollout.models import Kpi, Phase, Programme
from rollout.programme import kpis
from rollout.surveys.groups import OTHER, split_groups
from rollout.surveys.trends import phase_figures, series_trend, survey_confidence
from tests.rollout.test_surveys import close, login, make_survey, people, respond

K = 5


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English source texts, whatever the German catalogue says."""
    with translation.override("en"):
        yield


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _page(client, survey, query: str = "") -> str:
    response = client.get(f"/umfragen/auswertung/{survey.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("counts", "offered"),
    [
        ({1: ("A", 5), 2: ("B", 6)}, [("1", 5), ("2", 6)]),
        # C below k: merged into "other"; 2 < k, so the smallest shown (A) joins it
        ({1: ("A", 5), 2: ("B", 6), 3: ("C", 2)}, [("2", 6), (OTHER, 7)]),
        # C and the people without a department make 5: "other" reaches k, A stays
        ({1: ("A", 5), 2: ("B", 6), 3: ("C", 2), None: ("–", 3)}, [("1", 5), ("2", 6), (OTHER, 5)]),
        ({1: ("A", 9), 2: ("B", 4), 3: ("C", 3)}, [("1", 9), (OTHER, 7)]),
        ({1: ("A", 4), 2: ("B", 4)}, []),
        ({1: ("A", 5), 2: ("B", 1)}, []),  # A alone would give B away
        ({1: ("A", 12)}, []),  # one department only: a filter would repeat "everyone"
        ({}, []),
    ],
)
def test_department_groups_never_allow_a_group_below_k(counts, offered) -> None:
    groups = split_groups(counts, K)
    assert [(g.key, g.respondents) for g in groups.offered] == offered
    total = sum(n for _name, n in counts.values())
    if groups.offered:
        # everyone minus all groups offered but one is always a group of at least k
        assert sum(g.respondents for g in groups.offered) == total
        assert all(g.respondents >= K for g in groups.offered)


@pytest.mark.django_db
def test_below_k_nothing_is_shown_anywhere(client, ada, walter) -> None:
    survey = make_survey(title="Kleine Runde")
    respond(survey, people(K - 1, "Vertrieb"), confidence=5, text="Geheimer Wunsch")
    close(survey)
    for reader in (ada, walter):
        login(client, reader)
        page = _page(client, survey)
        assert "Geheimer Wunsch" not in page and "chart-bars" not in page
        assert "Fewer than 5 people answered" in page
        rows = _csv(client.get(f"/umfragen/auswertung/{survey.pk}/export.csv"))
        assert len(rows) == 2 and len(rows[1]) == 4  # header and one line saying why
        overview = client.get("/umfragen/auswertung/").content.decode()
        assert "Kleine Runde" in overview and "Geheimer Wunsch" not in overview


@pytest.mark.django_db
def test_at_k_results_are_shown(client, walter) -> None:
    survey = make_survey()
    respond(survey, people(K, "Vertrieb"), confidence=4, text="Mehr Beispiele")
    close(survey)
    login(client, walter)
    page = _page(client, survey)
    assert "chart-bars" in page and "Mehr Beispiele" in page
    results = client.get(f"/umfragen/auswertung/{survey.pk}/").context["results"]
    confidence = results.questions[0]
    assert (confidence.answers, confidence.average) == (K, 4)
    assert ("4 – rather agree", K, 100) in [(str(a), b, c) for a, b, c in confidence.rows]
    rows = _csv(client.get(f"/umfragen/auswertung/{survey.pk}/export.csv"))
    assert len(rows) == 1 + 5 + 11 + 3  # likert, scale and choice options, no free text
    assert not any("Mehr Beispiele" in cell for row in rows for cell in row)


@pytest.mark.django_db
def test_open_survey_shows_no_results_even_above_k(client, ada) -> None:
    survey = make_survey()
    respond(survey, people(K + 2, "Vertrieb"), text="Schon offen")
    login(client, ada)
    page = _page(client, survey)
    assert "Schon offen" not in page and "chart-bars" not in page
    assert "once the survey has closed" in page
    rows = _csv(client.get(f"/umfragen/auswertung/{survey.pk}/export.csv"))
    assert len(rows) == 2


@pytest.mark.django_db
def test_department_filters_free_text_and_differencing(client, ada) -> None:
    survey = make_survey()
    big, mid, small = people(6, "Produktion"), people(5, "Vertrieb"), people(2, "Einkauf")
    respond(survey, big, confidence=2, text="Produktion braucht Zeit")
    respond(survey, mid, confidence=5, text="<b>Vorlagen</b> bitte")
    respond(survey, small, confidence=1, text="Einkauf ist allein")
    close(survey)
    login(client, ada)
    everyone = client.get(f"/umfragen/auswertung/{survey.pk}/").context["results"]
    assert everyone.respondents == 13
    # Einkauf (2) is merged; 2 < k, so Vertrieb (the smallest shown) joins "other" as well
    assert [(g.label, g.respondents) for g in everyone.groups] == [
        ("Produktion", 6),
        ("Other departments", 7),
    ]
    page = _page(client, survey)
    assert "&lt;b&gt;Vorlagen&lt;/b&gt; bitte" in page and "<b>Vorlagen</b>" not in page
    texts = everyone.questions[3].texts
    assert texts == sorted(texts, key=str.lower)  # alphabetical, not in the order written
    sales = mid[0].department_id
    purchasing = small[0].department_id
    # No department has this id (a fixed one like 999 may be Produktion's late in a run).
    unknown = Department.objects.aggregate(top=Max("pk"))["top"] + 1
    for hidden in (sales, purchasing, unknown):
        page = _page(client, survey, f"?department={hidden}")
        assert "chart-bars" not in page and "Vorlagen" not in page
    production = client.get(
        f"/umfragen/auswertung/{survey.pk}/?department={big[0].department_id}"
    ).context["results"]
    assert production.shown and production.questions[0].average == 2
    assert production.questions[3].texts == []  # no free text next to a filter
    page = _page(client, survey, f"?department={big[0].department_id}")
    assert "Produktion braucht Zeit" not in page
    other = client.get(f"/umfragen/auswertung/{survey.pk}/?department={OTHER}").context["results"]
    assert other.shown and other.group_respondents == 7
    rows = _csv(client.get(f"/umfragen/auswertung/{survey.pk}/export.csv"))
    groups = {row[1] for row in rows[1:]}
    assert len(groups) == 3 and "Produktion" in groups  # everyone, Produktion, other
    assert not {"Vertrieb", "Einkauf"} & groups


@pytest.mark.django_db
def test_results_pages_need_the_oversight_roles(client, alice, bob) -> None:
    survey = make_survey()
    for member in (alice, bob):
        login(client, member)
        assert client.get(f"/umfragen/auswertung/{survey.pk}/").status_code == 403
        assert client.get(f"/umfragen/auswertung/{survey.pk}/export.csv").status_code == 403


def _phases() -> dict[int, Phase]:
    programme = Programme.objects.create(name="KI", organisation="Hallberg")
    today = timezone.localdate()
    return {
        n: Phase.objects.create(
            programme=programme,
            number=n,
            kind=kind,
            title=f"Phase {n}",
            goal="…",
            planned_start=today,
            planned_end=today,
        )
        for n, kind in enumerate(Phase.Kind.values, start=1)
    }


@pytest.mark.django_db
def test_trend_across_waves_per_phase_and_the_kpi(client, ada) -> None:
    phases = _phases()
    crowd = people(K + 1, "Produktion")
    start = timezone.now()
    waves = []
    for i, (confidence, n, phase) in enumerate([(2, K + 1, 2), (5, K - 1, 3), (4, K, 3)]):
        with time_machine.travel(start + timedelta(days=30 * i)):
            wave = make_survey(title=f"Welle {i + 1}", series="pulse", phase=phases[phase])
            respond(wave, crowd[:n], confidence=confidence)
            waves.append(close(wave))
    with time_machine.travel(start + timedelta(days=100)):
        closed, lines = series_trend("pulse", k=K)
        assert [w.title for w in closed] == ["Welle 1", "Welle 2", "Welle 3"]
        confidence = next(line for line in lines if line.key == "confidence")
        assert [v for _w, v, _n in confidence.points] == [2, None, 4]  # wave 2 below k: a gap
        assert "chart-sparkline" in confidence.chart
        figures = {(f.phase.number, f.key): f for f in phase_figures(k=K)}
        # phase 3 counts wave 3 only: wave 2 is below k and must not hide inside a sum
        assert figures[(3, "confidence")].average == 4 and figures[(3, "confidence")].surveys == 1
        assert figures[(2, "confidence")].average == 2
        with CaptureQueriesContext(connection) as queries:
            reading = survey_confidence(timezone.localdate())
        assert len(queries.captured_queries) == 1
        assert reading is not None and reading.value == 4 and reading.parts == {"n": K}
        login(client, ada)
        page = client.get("/umfragen/auswertung/").content.decode()
        assert "chart-sparkline" in page and "pulse" in page
        assert "chart-sparkline" in _page(client, waves[0])


@pytest.mark.django_db
def test_kpi_has_no_value_below_k_and_is_registered(monkeypatch) -> None:
    from portal import audit
    from rollout.surveys import hooks as survey_hooks

    # register() changes module-wide tables: let this test's changes end with it
    monkeypatch.setattr(kpis, "METRICS", dict(kpis.METRICS))
    monkeypatch.setattr(audit, "ACTION_LABELS", dict(audit.ACTION_LABELS))
    survey = make_survey()
    respond(survey, people(K - 1, "Vertrieb"), confidence=5)
    close(survey)
    assert survey_confidence(timezone.localdate()) is None
    survey_hooks.register()
    assert kpis.is_computed(Kpi.Metric.SURVEY_CONFIDENCE)
    reading = kpis.Reading(kpis.quantize(3.64), {"n": 12})
    assert "3" in kpis.describe(Kpi.Metric.SURVEY_CONFIDENCE, reading)
    assert audit.action_label("survey.exported") == "Survey results exported"


@pytest.mark.django_db
def test_results_page_runs_a_fixed_number_of_queries(client, walter) -> None:
    small = make_survey(title="Klein", series="s")
    respond(small, people(K, "Vertrieb"))
    close(small)
    big = make_survey(title="Groß", series="s")
    crowd = people(K + 3, "Produktion", "b") + people(K, "IT", "c") + people(2, "Einkauf", "d")
    respond(big, crowd, text="Viel")
    close(big)
    login(client, walter)

    def queries(survey) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/umfragen/auswertung/{survey.pk}/").status_code == 200
        return len(captured.captured_queries)

    assert queries(small) == queries(big)


@pytest.mark.django_db
def test_k_is_configurable(client, walter, settings) -> None:
    settings.SURVEY_MIN_GROUP_SIZE = 3
    survey = make_survey()
    respond(survey, people(3, "Vertrieb"), confidence=3)
    close(survey)
    login(client, walter)
    results = client.get(f"/umfragen/auswertung/{survey.pk}/").context["results"]
    assert results.shown and results.k == 3 and results.questions[0].average == 3
    settings.SURVEY_MIN_GROUP_SIZE = 4
    assert not client.get(f"/umfragen/auswertung/{survey.pk}/").context["results"].shown
