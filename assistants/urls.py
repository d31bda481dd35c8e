from __future__ import annotations

from django.urls import path

from assistants import views, views_reports, views_review
from assistants.speech import views as speech_views

app_name = "assistants"
urlpatterns = [
    path("", views.index, name="index"),
    path("protokoll/neu/", views.protocol_new, name="protocol-new"),
    path("auftraege/<int:job_id>/", views.job_detail, name="job-detail"),
    path("auftraege/<int:job_id>/abbrechen/", views.job_cancel_view, name="job-cancel"),
    path("protokolle/<int:protocol_id>/", views.protocol_detail, name="protocol-detail"),
    path(
        "protokolle/<int:protocol_id>/<slug:step>/",
        views_review.protocol_step,
        name="protocol-step",
    ),
    path(
        "protokolle/<int:protocol_id>/export.<str:fmt>",
        views_review.protocol_export,
        name="protocol-export",
    ),
    path(
        "protokolle/<int:protocol_id>/punkte/<str:section>/<int:index>/bearbeiten/",
        views_review.item_edit,
        name="item-edit",
    ),
    path(
        "protokolle/<int:protocol_id>/punkte/<str:section>/<int:index>/<str:decision>/",
        views_review.item_decide,
        name="item-decide",
    ),
    path("aufgaben/", views_review.my_action_items, name="action-items"),
    path(
        "aufgaben/<int:item_id>/erledigt/",
        views_review.action_item_mark_done,
        name="action-item-done",
    ),
    path("bericht/", views.report_new, name="report-new"),
    path("berichte/", views_reports.report_list, name="report-list"),
    path("berichte/<int:report_id>/", views_reports.report_detail, name="report-detail"),
    path("berichte/<int:report_id>/bearbeiten/", views_reports.report_edit, name="report-edit"),
    path(
        "berichte/<int:report_id>/freigeben/", views_reports.report_approve, name="report-approve"
    ),
    path(
        "berichte/<int:report_id>/export.<str:fmt>",
        views_reports.report_export,
        name="report-export",
    ),
    path("modell/", views.model_status, name="model-status"),
    path("transkript/neu/", speech_views.transcript_new, name="transcript-new"),
    path(
        "transkripte/<int:transcript_id>/",
        speech_views.transcript_detail,
        name="transcript-detail",
    ),
    path(
        "transkripte/<int:transcript_id>/abschnitte/<int:index>/",
        speech_views.turn_edit,
        name="turn-edit",
    ),
    path(
        "transkripte/<int:transcript_id>/umbenennen/",
        speech_views.speaker_rename,
        name="speaker-rename",
    ),
    path(
        "transkripte/<int:transcript_id>/loeschen/",
        speech_views.transcript_delete,
        name="transcript-delete",
    ),
]
