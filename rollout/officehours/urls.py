"""Office hours: free slots, booking, my bookings; hosts publish and see their agenda."""

from __future__ import annotations

from django.urls import path

from rollout.officehours import views as people
from rollout.officehours import views_host as host

urlpatterns = [
    path("sprechstunden/", people.officehour_list, name="officehour-list"),
    path("sprechstunden/neu/", host.officehour_new, name="officehour-new"),
    path("sprechstunden/agenda/", host.agenda, name="officehour-agenda"),
    path("sprechstunden/meine/", people.booking_list, name="officehour-bookings"),
    path("sprechstunden/<int:officehour_id>/", people.officehour_detail, name="officehour-detail"),
    path(
        "sprechstunden/<int:officehour_id>/bearbeiten/",
        host.officehour_edit,
        name="officehour-edit",
    ),
    path(
        "sprechstunden/<int:officehour_id>/absagen/",
        host.officehour_cancel_view,
        name="officehour-cancel",
    ),
    path("sprechstunden/termine/<int:slot_id>/buchen/", people.slot_book, name="officehour-book"),
    path(
        "sprechstunden/termine/<int:slot_id>/absagen/",
        host.slot_cancel_view,
        name="officehour-slot-cancel",
    ),
    path(
        "sprechstunden/buchungen/<int:booking_id>/stornieren/",
        people.booking_cancel_view,
        name="officehour-booking-cancel",
    ),
    path(
        "sprechstunden/buchungen/<int:booking_id>/umbuchen/",
        people.booking_rebook_view,
        name="officehour-booking-rebook",
    ),
    path(
        "sprechstunden/buchungen/<int:booking_id>/faq/",
        host.booking_faq,
        name="officehour-booking-faq",
    ),
]
