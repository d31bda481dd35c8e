from __future__ import annotations

from django.urls import path

from rollout.views import events

urlpatterns = [
    path("termine/", events.event_list, name="event-list"),
    path("termine/<int:event_id>/", events.event_detail, name="event-detail"),
    path("termine/<int:event_id>/anmelden/", events.event_register, name="event-register"),
    path("termine/<int:event_id>/abmelden/", events.event_cancel, name="event-cancel"),
]
