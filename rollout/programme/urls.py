"""The roadmap, the cockpit and running the programme (phases, milestones, KPIs)."""

from __future__ import annotations

from django.urls import path

from rollout.programme import views as roadmap
from rollout.programme import views_admin as programme_admin
from rollout.programme import views_dashboard as dashboard

urlpatterns = [
    path("fahrplan/", roadmap.roadmap, name="roadmap"),
    path("programm/cockpit/", dashboard.dashboard, name="dashboard"),
    path("programm/kpi.csv", dashboard.kpi_csv, name="kpi-csv"),
    path("programm/", programme_admin.programme_manage, name="programme-manage"),
    path("programm/phasen/<int:phase_id>/", programme_admin.phase_edit, name="phase-edit"),
    path(
        "programm/phasen/<int:phase_id>/meilensteine/neu/",
        programme_admin.milestone_create,
        name="milestone-create",
    ),
    path(
        "programm/meilensteine/<int:milestone_id>/",
        programme_admin.milestone_edit,
        name="milestone-edit",
    ),
    path(
        "programm/meilensteine/<int:milestone_id>/erledigt/",
        programme_admin.milestone_done,
        name="milestone-done",
    ),
    path(
        "programm/meilensteine/<int:milestone_id>/wieder-offen/",
        programme_admin.milestone_reopen,
        name="milestone-reopen",
    ),
    path(
        "programm/phasen/<int:phase_id>/kennzahlen/neu/",
        programme_admin.kpi_create,
        name="kpi-create",
    ),
    path("programm/kennzahlen/<int:kpi_id>/", programme_admin.kpi_edit, name="kpi-edit"),
]
