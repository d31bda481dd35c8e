"""The newsletter: archive and settings for everyone, composing and sending for admins."""

from __future__ import annotations

from django.urls import path

from newsletter import views, views_compose, views_model_draft, views_send

app_name = "newsletter"
V = "verwaltung/<int:issue_id>/"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("<int:issue_id>/", views.issue_detail, name="issue"),
    path("einstellungen/", views.preferences, name="preferences"),
    path("abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("verwaltung/", views_compose.manage, name="manage"),
    path("verwaltung/neu/", views_compose.issue_new, name="issue-new"),
    path("verwaltung/vorschau/", views_compose.preview, name="preview"),
    path("verwaltung/vorschlaege/", views_compose.suggestions, name="suggestions"),
    path("verwaltung/ki-entwurf/", views_model_draft.start, name="model-draft"),
    path(
        "verwaltung/ki-entwurf/<int:job_id>/", views_model_draft.status, name="model-draft-status"
    ),
    path(
        "verwaltung/ki-entwurf/<int:job_id>/uebernehmen/",
        views_model_draft.adopt,
        name="model-draft-adopt",
    ),
    path(f"{V}bearbeiten/", views_compose.issue_edit, name="issue-edit"),
    path(f"{V}versand/", views_send.issue_send, name="issue-send"),
    path(f"{V}test/", views_send.issue_test, name="issue-test"),
    path(f"{V}planen/", views_send.issue_schedule, name="issue-schedule"),
    path(f"{V}planung-aufheben/", views_send.issue_unschedule, name="issue-unschedule"),
    path(f"{V}verwerfen/", views_send.issue_cancel, name="issue-cancel"),
    path(f"{V}status/", views_send.issue_status, name="issue-status"),
]
