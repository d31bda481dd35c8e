"""Search pages and fragments (hybrid: full text + vectors)."""

from __future__ import annotations

from django.urls import path

from rollout.usecases import views_search as search

urlpatterns = [
    path("anwendungsfaelle/suche/", search.usecase_search, name="usecase-search"),
    path("anwendungsfaelle/aehnliche/", search.usecase_similar, name="usecase-similar"),
]
