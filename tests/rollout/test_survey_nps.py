"""Recommendation questions show the Net Promoter Score, never an average.

NPS = % promoters (9–10) − % detractors (0–6), −100 … +100. On the results page, in the
CSV, the trend and the figures per phase; always within the k-threshold of the results.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from rollout.models import SurveyQuestion
from rollout.surveys.answer import survey_answer
from rollout.surveys.nps import Nps, nps_from_counts
from rollout.surveys.services import QuestionSpec
from rollout.surveys.trends import phase_figures, series_trend
from tests.rollout.test_survey_results import _phases
from tests.rollout.test_surveys import close, login, make_survey, people

Kind = SurveyQuestion.Kind
K = 5
QUESTIONS = [
    QuestionSpec(Kind.NPS, "Wie wahrscheinlich empfehlen Sie das Portal?", key="nps"),
    QuestionSpec(Kind.SCALE, "Wie zufrieden sind Sie, von 0 bis 10?", key="satisfaction"),
]
# 10 answers: 5 promoters, 2 passives, 3 detractors → NPS +20 (the scale's mean would be 7.2)
ANSWERS = [10, 10, 9, 9, 9, 8, 7, 6, 3, 1]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("counts", "score", "signed", "shares"),
    [
        ({10: 2, 9: 3, 8: 1, 7: 1, 6: 1, 3: 1, 1: 1}, 20, "+20", (50, 20, 30)),
        ({0: 4, 6: 1}, -100, "−100", (0, 0, 100)),
        ({9: 3, 10: 1}, 100, "+100", (100, 0, 0)),
        ({8: 2, 7: 2}, 0, "0", (0, 100, 0)),
        ({10: 1, 8: 7}, 13, "+13", (13, 88, 0)),  # 12.5 rounds away from zero
        ({0: 1, 8: 7}, -13, "−13", (0, 88, 13)),
        ({}, 0, "0", (0, 0, 0)),
    ],
)
def test_nps_is_promoters_minus_detractors(counts, score, signed, shares) -> None:
    nps = nps_from_counts(counts)
    assert nps.answers == sum(counts.values())
    assert (nps.score, nps.signed) == (score, signed)
    assert (nps.promoter_percent, nps.passive_percent, nps.detractor_percent) == shares


def _answer(survey, values: list[int], department: str = "Vertrieb", prefix: str = "p") -> None:
    q = {question.key: question.pk for question in survey.questions.all()}
    for person, value in zip(people(len(values), department, prefix), values, strict=True):
        survey_answer(survey=survey, user=person, answers={q["nps"]: value, q["satisfaction"]: 7})


@pytest.mark.django_db
def test_results_page_and_export_show_the_nps_not_an_average(client, walter) -> None:
    survey = make_survey(questions=QUESTIONS)
    _answer(survey, ANSWERS)
    close(survey)
    login(client, walter)
    response = client.get(f"/umfragen/auswertung/{survey.pk}/")
    recommendation, satisfaction = response.context["results"].questions
    assert recommendation.average is None
    assert recommendation.nps == Nps(promoters=5, passives=2, detractors=3)
    assert satisfaction.average == 7 and satisfaction.nps is None  # a plain scale keeps it
    page = response.content.decode()
    assert "Net Promoter Score <strong>+20</strong>" in page
    for share in ("Promoters (9–10): 50 %", "Passives (7–8): 20 %", "Detractors (0–6): 30 %"):
        assert share in page
    assert page.count("average <strong>") == 1  # the plain scale's only

    export = client.get(f"/umfragen/auswertung/{survey.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][10:] == ["NPS", "Promoters % (9–10)", "Passives % (7–8)", "Detractors % (0–6)"]
    nps_rows = [row for row in rows[1:] if row[4] == "nps"]
    assert len(nps_rows) == 11  # one per answer 0–10, each with the score
    assert all(row[6] == "" and row[10:] == ["20", "50", "20", "30"] for row in nps_rows)
    assert all(len(row) == 10 for row in rows[1:] if row[4] == "satisfaction")


@pytest.mark.django_db
def test_a_negative_nps_is_a_number_in_the_export(client, walter) -> None:
    survey = make_survey(questions=QUESTIONS)
    _answer(survey, [0, 2, 5, 6, 8, 9])
    close(survey)
    login(client, walter)
    export = client.get(f"/umfragen/auswertung/{survey.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert {tuple(row[10:]) for row in rows[1:] if row[4] == "nps"} == {("-50", "17", "17", "67")}
    assert "−50" in client.get(f"/umfragen/auswertung/{survey.pk}/").content.decode()


@pytest.mark.django_db
def test_below_k_there_is_no_nps(client, walter) -> None:
    survey = make_survey(questions=QUESTIONS)
    _answer(survey, ANSWERS[: K - 1])
    close(survey)
    login(client, walter)
    response = client.get(f"/umfragen/auswertung/{survey.pk}/")
    assert not response.context["results"].shown
    assert "Net Promoter Score" not in response.content.decode()
    export = client.get(f"/umfragen/auswertung/{survey.pk}/export.csv").content.decode("utf-8-sig")
    assert len(export.strip().splitlines()) == 2  # the header and why nothing is shown


@pytest.mark.django_db
def test_a_department_below_k_shows_no_nps_of_its_own(client, walter) -> None:
    survey = make_survey(questions=QUESTIONS)
    _answer(survey, ANSWERS, "Produktion", "a")
    _answer(survey, [0, 0], "Einkauf", "b")  # two: merged, never shown on their own
    close(survey)
    login(client, walter)
    results = client.get(f"/umfragen/auswertung/{survey.pk}/").context["results"]
    assert results.questions[0].nps.answers == 12
    assert all(g.respondents >= K for g in results.groups)


@pytest.mark.django_db
def test_trend_and_phase_figures_show_the_nps(client, ada) -> None:
    phases = _phases()
    start = timezone.now()
    waves = [([10, 10, 9, 6, 6], 2), ([10, 9, 9, 8, 6], 3), ([9, 9, 9, 9], 3)]  # last below k
    for i, (values, phase) in enumerate(waves):
        with time_machine.travel(start + timedelta(days=30 * i)):
            wave = make_survey(
                title=f"Welle {i + 1}",
                series="KI-Stimmung",
                phase=phases[phase],
                questions=QUESTIONS,
            )
            _answer(wave, values, prefix=f"w{i}")
            close(wave)
    with time_machine.travel(start + timedelta(days=100)):
        _waves, lines = series_trend("KI-Stimmung", k=K)
        line = next(line for line in lines if line.key == "nps")
        assert [v.score if v else None for _w, v, _n in line.points] == [20, 40, None]
        assert "chart-sparkline" in line.chart
        figures = {(f.phase.number, f.key): f for f in phase_figures(k=K)}
        assert figures[(2, "nps")].nps.score == 20 and figures[(2, "nps")].average is None
        # phase 3: the wave below k stays out of the sum
        assert figures[(3, "nps")].nps.score == 40 and figures[(3, "nps")].surveys == 1
        assert figures[(3, "nps")].text == "Wie wahrscheinlich empfehlen Sie das Portal?"
        assert figures[(3, "satisfaction")].average == 7
        login(client, ada)
        page = client.get("/umfragen/auswertung/").content.decode()
        assert "+40" in page and "Trend of the series “KI-Stimmung”" in page
        assert "0–10, NPS from −100 to +100" in page
