from __future__ import annotations

from django.urls import path

from rollout import views

app_name = "rollout"
urlpatterns = [
    path("fahrplan/", views.roadmap, name="roadmap"),
]
