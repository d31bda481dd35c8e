"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:survey-list": ("/umfragen/", LOGIN, EVERYONE),
    # an open survey for everyone; one outside a person's audience is 404 (test_surveys.py)
    "rollout:survey-answer": ("/umfragen/{survey}/", LOGIN, EVERYONE),
    "rollout:survey-admin": ("/umfragen/verwalten/", LOGIN, ADMIN_ONLY),
    "rollout:survey-new": ("/umfragen/verwalten/neu/", LOGIN, ADMIN_ONLY),
    "rollout:survey-edit": ("/umfragen/verwalten/{survey}/bearbeiten/", LOGIN, ADMIN_ONLY),
    "rollout:survey-results-overview": ("/umfragen/auswertung/", LOGIN, OVERSIGHT),
    "rollout:survey-results": ("/umfragen/auswertung/{survey}/", LOGIN, OVERSIGHT),
    "rollout:survey-export": ("/umfragen/auswertung/{survey}/export.csv", LOGIN, OVERSIGHT),
    "rollout:feedback-new": ("/feedback/", LOGIN, EVERYONE),
    "rollout:feedback-list": ("/feedback/eingang/", LOGIN, OVERSIGHT),
}
# POST-only steps, tested in tests/rollout/test_surveys.py and test_feedback.py.
SEPARATELY_TESTED: set[str] = {
    "rollout:survey-open",
    "rollout:survey-close",
    "rollout:feedback-mark",
}


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    from datetime import timedelta

    from django.utils import timezone

    from rollout.models import SurveyQuestion
    from rollout.surveys.services import QuestionSpec, survey_create

    now = timezone.now()
    survey = survey_create(
        by=cast["ada"],
        title="Stimmungsbild KI",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        audience="everyone",
        questions=[QuestionSpec(SurveyQuestion.Kind.LIKERT, "Wie sicher fühlen Sie sich?")],
    )
    return {"survey": survey.pk}
