"""Migration 0017: 0–10 questions keyed "nps" become recommendation questions (NPS)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.migrations import migrate_to

BEFORE = [("rollout", "0016_survey_fixed_groups")]
AFTER = [("rollout", "0017_human_labels_nps")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrations_restored")
def test_scale_questions_keyed_nps_become_recommendation_questions() -> None:
    apps = migrate_to(BEFORE)
    Survey = apps.get_model("rollout", "Survey")
    Question = apps.get_model("rollout", "SurveyQuestion")
    now = timezone.now()
    survey = Survey.objects.create(
        title="Welle 1", opens_at=now, closes_at=now + timedelta(days=7), series="pulse"
    )
    nps = Question.objects.create(survey=survey, kind="scale", key="nps", text="Empfehlen?")
    other = Question.objects.create(survey=survey, kind="scale", key="mood", text="Laune 0–10?")
    likert = Question.objects.create(survey=survey, kind="likert", key="nps", text="Sicher?")

    apps = migrate_to(AFTER)
    Question = apps.get_model("rollout", "SurveyQuestion")
    kinds = dict(Question.objects.values_list("pk", "kind"))
    assert kinds == {nps.pk: "nps", other.pk: "scale", likert.pk: "likert"}

    apps = migrate_to(BEFORE)  # and back: recommendation questions are 0–10 scales again
    Question = apps.get_model("rollout", "SurveyQuestion")
    assert Question.objects.get(pk=nps.pk).kind == "scale"
