"""What the events plug into the portal (called from AppConfig.ready()): the navigation
entry, the home card of coming events, the audit log's names for their actions and the
reminder mail before an event."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.registry import NavItem

AUDIT_LABELS = {
    # events
    "event.registered": _("Registered for an event"),
    "event.cancelled": _("Registration cancelled"),
    "event.moved_up": _("Moved up from the waiting list"),
    "event.checked_in": _("Checked in at an event"),
    "event.check_in_undone": _("Check-in undone"),
    "event.created": _("Event created"),
    "event.changed": _("Event changed"),
    "event.material_added": _("Event material added"),
    "event.material_removed": _("Event material removed"),
    "event.series_created": _("Event series created"),
    "event.series_changed": _("Event series changed"),
    "event.series_generated": _("Series sessions created"),
    "event.registrations_exported": _("Registrations exported"),
    "calendar.feed_created": _("Calendar feed created"),
    "calendar.feed_replaced": _("Calendar feed address replaced"),
    "calendar.feed_revoked": _("Calendar feed address deleted"),
}


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_home_cards, register_nav
    from rollout.common.reminders import register_reminder
    from rollout.events.cards import event_cards
    from rollout.events.mail import REMINDER

    register_nav(
        NavItem(
            _("Events"),
            "rollout:event-list",
            order=20,
            active_prefix="/termine/",
            group="programme",
        )
    )
    register_home_cards(event_cards)
    register_action_labels(AUDIT_LABELS)
    register_reminder(REMINDER)
