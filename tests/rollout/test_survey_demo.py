"""Demo surveys: a rising trend over two closed waves, an open one for alice, a small
department below k, feedback messages; idempotent and quick."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from portal.demo import DEMO_DOMAIN, seed_people
from portal.models import User
from rollout.demo.programme import seed_programme
from rollout.demo.surveys import SERIES, seed_surveys
from rollout.models import FeedbackMessage, Survey, SurveyResponse
from rollout.surveys.results import survey_results
from rollout.surveys.services import open_surveys_waiting, survey_status
from rollout.surveys.trends import series_trend, survey_confidence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English source texts, whatever the German catalogue says."""
    with translation.override("en"):
        yield


def test_demo_surveys(django_capture_on_commit_callbacks, client) -> None:
    lines: list[str] = []
    with django_capture_on_commit_callbacks() as callbacks:
        seed_people(lines.append)
        seed_programme(lines.append)
        with CaptureQueriesContext(connection) as queries:
            seed_surveys(lines.append)
        # Quick by construction, not by the clock (a busy machine): the ~300 answers are
        # written in bulk, not a query or two each (52 queries when this was written).
        assert len(queries) < 100, len(queries)
    assert callbacks == [] and mail.outbox == []
    waves = list(Survey.objects.filter(series="Stimmungsbild KI").order_by("opens_at"))
    assert [survey_status(w) for w in waves] == ["closed", "closed", "open"]
    assert all(w.phase is not None for w in waves)
    closed, trend = series_trend(SERIES)
    assert closed == waves[:2]
    confidence = next(line for line in trend if line.key == "confidence")
    first, second = (value for _w, value, _n in confidence.points)
    assert first is not None and second is not None and second > first
    worry = next(line for line in trend if line.key == "job_worry")
    assert worry.points[1][1] < worry.points[0][1]
    recommendation = next(line for line in trend if line.key == "nps")
    assert recommendation.kind == "nps"  # a score from −100 to +100, not an average
    assert all(-100 <= nps.score <= 100 for _w, nps, _n in recommendation.points)
    for wave in waves[:2]:
        assert wave.responses.count() >= 100
        results = survey_results(wave)
        assert results.shown and any(q.texts for q in results.questions)
        labels = [g.label for g in results.groups]
        assert "Geschäftsführung & Verwaltung" not in labels and "Other departments" in labels
    alice = User.objects.get(email=f"alice@{DEMO_DOMAIN}")
    assert list(open_surveys_waiting(alice)) == [waves[2]]
    assert survey_confidence(timezone.localdate()).value == confidence.points[1][1]
    assert FeedbackMessage.objects.count() >= 5
    count = SurveyResponse.objects.count()
    seed_surveys(lines.append)  # a second run changes nothing
    assert SurveyResponse.objects.count() == count and lines[-1] == "Demo surveys already present."

    # a demo seeded when the series was still the key "pulse" keeps its waves, renamed
    Survey.objects.filter(series=SERIES).update(series="pulse")
    seed_surveys(lines.append)
    assert SurveyResponse.objects.count() == count
    assert Survey.objects.filter(series=SERIES).count() == 3
