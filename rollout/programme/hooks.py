"""What the programme plugs into the portal (called from AppConfig.ready()): the roadmap and
cockpit in the navigation, the phase and status cards, its lines of the steering-committee
report and the audit log's names for changes to phases, milestones and KPIs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.registry import NavItem
from portal.roles import OVERSIGHT

AUDIT_LABELS = {
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

NAV = (
    NavItem(_("Roadmap"), "rollout:roadmap", order=10, group="programme"),
    NavItem(
        _("Programme dashboard"),
        "rollout:dashboard",
        roles=OVERSIGHT,
        order=60,
        active_prefix="/programm/",
        group="steering",
    ),
)


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_home_cards, register_nav, register_report_facts
    from rollout.programme import cards, kpis, report

    for metric, compute, describe in kpis.OWN_METRICS:
        kpis.register_metric(metric, compute, describe=describe)
    register_nav(*NAV)
    register_home_cards(cards.phase_cards)
    register_home_cards(cards.programme_status_cards)
    register_report_facts(report.programme_facts)
    register_action_labels(AUDIT_LABELS)
