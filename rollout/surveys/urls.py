"""Pulse surveys (answer, manage, results) and the anonymous feedback box."""

from __future__ import annotations

from django.urls import path

from rollout.surveys import views as surveys
from rollout.surveys import views_admin as surveys_admin
from rollout.surveys import views_feedback as feedback
from rollout.surveys import views_results as surveys_results

urlpatterns = [
    path("umfragen/", surveys.survey_list, name="survey-list"),
    path("umfragen/<int:survey_id>/", surveys.survey_answer, name="survey-answer"),
    path("umfragen/verwalten/", surveys_admin.survey_admin, name="survey-admin"),
    path("umfragen/verwalten/neu/", surveys_admin.survey_new, name="survey-new"),
    path(
        "umfragen/verwalten/<int:survey_id>/bearbeiten/",
        surveys_admin.survey_edit,
        name="survey-edit",
    ),
    path(
        "umfragen/verwalten/<int:survey_id>/oeffnen/",
        surveys_admin.survey_open,
        name="survey-open",
    ),
    path(
        "umfragen/verwalten/<int:survey_id>/schliessen/",
        surveys_admin.survey_close,
        name="survey-close",
    ),
    path("umfragen/auswertung/", surveys_results.results_overview, name="survey-results-overview"),
    path(
        "umfragen/auswertung/<int:survey_id>/",
        surveys_results.survey_results_page,
        name="survey-results",
    ),
    path(
        "umfragen/auswertung/<int:survey_id>/export.csv",
        surveys_results.survey_export,
        name="survey-export",
    ),
    path("feedback/", feedback.feedback_new, name="feedback-new"),
    path("feedback/eingang/", feedback.feedback_list, name="feedback-list"),
    path(
        "feedback/eingang/<uuid:message_id>/markieren/",
        feedback.feedback_mark,
        name="feedback-mark",
    ),
]
