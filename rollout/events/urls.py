"""Events: list and detail, registration, check-in, materials, calendar, series, export."""

from __future__ import annotations

from django.urls import path, re_path

from rollout.events import views as events
from rollout.events import views_admin as event_admin
from rollout.events import views_calendar as calendar
from rollout.events import views_materials as event_materials

urlpatterns = [
    path("termine/", events.event_list, name="event-list"),
    path("termine/neu/", event_admin.event_new, name="event-new"),
    path("termine/<int:event_id>/", events.event_detail, name="event-detail"),
    path("termine/<int:event_id>/bearbeiten/", event_admin.event_edit, name="event-edit"),
    path("termine/<int:event_id>/anmelden/", events.event_register, name="event-register"),
    path("termine/<int:event_id>/abmelden/", events.event_cancel, name="event-cancel"),
    path(
        "termine/<int:event_id>/anwesenheit/<int:registration_id>/",
        events.event_attendance,
        name="event-attendance",
    ),
    path(
        "termine/<int:event_id>/material/neu/",
        event_materials.material_new,
        name="event-material-new",
    ),
    path(
        "termine/<int:event_id>/material/<int:material_id>/",
        event_materials.material_download,
        name="event-material",
    ),
    path(
        "termine/<int:event_id>/material/<int:material_id>/entfernen/",
        event_materials.material_remove,
        name="event-material-remove",
    ),
    path("termine/kalender/", calendar.calendar_page, name="calendar"),
    path("termine/kalender/neu/", calendar.calendar_token_new, name="calendar-token-new"),
    path(
        "termine/kalender/loeschen/", calendar.calendar_token_delete, name="calendar-token-delete"
    ),
    # secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet
    re_path(
        r"^termine/kalender/(?P<token>[A-Za-z0-9_-]{43})\.ics$",
        calendar.calendar_feed,
        name="calendar-feed",
    ),
    path("termine/reihen/", event_admin.series_list, name="series-list"),
    path("termine/reihen/neu/", event_admin.series_new, name="series-new"),
    path(
        "termine/reihen/<int:series_id>/bearbeiten/",
        event_admin.series_edit,
        name="series-edit",
    ),
    path(
        "termine/export/anmeldungen.csv",
        event_admin.registrations_export,
        name="registrations-export",
    ),
]
