from __future__ import annotations

from django.urls import path

from assistants import views

app_name = "assistants"
urlpatterns = [
    path("", views.index, name="index"),
    path("protokoll/neu/", views.protocol_new, name="protocol-new"),
    path("auftraege/<int:job_id>/", views.job_detail, name="job-detail"),
    path("auftraege/<int:job_id>/abbrechen/", views.job_cancel_view, name="job-cancel"),
    path("protokolle/<int:protocol_id>/", views.protocol_detail, name="protocol-detail"),
    path("modell/", views.model_status, name="model-status"),
]
