from __future__ import annotations

from django.urls import path

from rollout.views import roadmap

urlpatterns = [
    path("fahrplan/", roadmap.roadmap, name="roadmap"),
]
