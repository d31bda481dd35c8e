"""The use-case library: overview, search, pages of a use case, its review steps, community."""

from __future__ import annotations

from django.urls import path

from rollout.usecases import views as usecases
from rollout.usecases import views_community as usecases_community
from rollout.usecases import views_search as search
from rollout.usecases import views_workflow as usecases_workflow

P = "anwendungsfaelle/<int:use_case_id>/"

urlpatterns = [
    path("anwendungsfaelle/", usecases.usecase_list, name="usecase-list"),
    path("anwendungsfaelle/neu/", usecases.usecase_new, name="usecase-new"),
    path("anwendungsfaelle/pipeline/", usecases.usecase_board, name="usecase-board"),
    path("anwendungsfaelle/suche/", search.usecase_search, name="usecase-search"),
    path("anwendungsfaelle/aehnliche/", search.usecase_similar, name="usecase-similar"),
    path(P, usecases.usecase_detail, name="usecase-detail"),
    path(f"{P}bearbeiten/", usecases.usecase_edit, name="usecase-edit"),
    path(f"{P}status/<str:to>/", usecases_workflow.usecase_step, name="usecase-step"),
    path(f"{P}pruefung/", usecases_workflow.usecase_validate, name="usecase-validate"),
    path(f"{P}datenschutz/", usecases_workflow.usecase_signoff, name="usecase-signoff"),
    path(f"{P}stimme/", usecases_community.usecase_vote, name="usecase-vote"),
    path(f"{P}folgen/", usecases_community.usecase_follow, name="usecase-follow"),
    path(f"{P}kommentare/", usecases_community.usecase_comment, name="usecase-comment"),
    path(
        f"{P}kommentare/<int:comment_id>/loeschen/",
        usecases_community.usecase_comment_delete,
        name="usecase-comment-delete",
    ),
    path(f"{P}dateien/neu/", usecases_community.attachment_new, name="usecase-attachment-new"),
    path(
        f"{P}dateien/<int:attachment_id>/",
        usecases_community.attachment_download,
        name="usecase-attachment",
    ),
    path(
        f"{P}dateien/<int:attachment_id>/entfernen/",
        usecases_community.attachment_remove,
        name="usecase-attachment-remove",
    ),
]
