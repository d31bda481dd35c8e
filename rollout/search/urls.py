"""Search settings: the company's glossary of synonyms."""

from __future__ import annotations

from django.urls import path

from rollout.search import views

urlpatterns = [
    path("suche/begriffe/", views.glossary, name="search-glossary"),
]
