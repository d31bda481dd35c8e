"""How the audit log names the rollout app's actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
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
    # multipliers and stakeholders
    "multiplier.confirmed": _("Multiplier confirmed"),
    "multiplier.candidate_dismissed": _("Multiplier candidate dismissed"),
    "multiplier.ended": _("Multiplier role ended"),
    "multiplier.focus_changed": _("Multiplier focus changed"),
    "stakeholder.created": _("Stakeholder group added"),
    "stakeholder.updated": _("Stakeholder group changed"),
    "stakeholder.deleted": _("Stakeholder group deleted"),
    "stakeholder.status_set": _("Stakeholder status changed"),
    # governance
    "decision.created": _("Steering-committee decision recorded"),
    "decision.updated": _("Steering-committee decision changed"),
    "ethics.created": _("Ethics review recorded"),
    "ethics.updated": _("Ethics review changed"),
    # phases, milestones, KPIs
    "phase.updated": _("Phase changed"),
    "phase.activated": _("Phase started"),
    "phase.completed": _("Phase completed"),
    "phase.reopened": _("Phase reopened"),
    "milestone.created": _("Milestone added"),
    "milestone.updated": _("Milestone changed"),
    "milestone.done": _("Milestone done"),
    "milestone.reopened": _("Milestone reopened"),
    "kpi.created": _("KPI added"),
    "kpi.updated": _("KPI changed"),
    "kpi.value_entered": _("KPI value entered by hand"),
}
