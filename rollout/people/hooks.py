"""What multipliers, stakeholders and the committees plug into the portal (called from
AppConfig.ready()): navigation, the directory's hosting counters, the governance lines of
the steering-committee report and the audit log's names for their actions."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.registry import NavItem
from portal.roles import OVERSIGHT

AUDIT_LABELS = {
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
}

NAV = (
    NavItem(
        _("Multipliers"),
        "rollout:multiplier-list",
        order=30,
        active_prefix="/multiplikatoren/",
        group="participate",
    ),
    NavItem(
        _("Committees"),
        "rollout:governance",
        roles=OVERSIGHT,
        order=70,
        active_prefix="/gremien/",
        group="steering",
    ),
)


def _hosted(user_ids: Sequence[int], kinds: Sequence[str]) -> dict[int, int]:
    """Return, per host, the events of `kinds` they held (one query)."""
    from rollout.models import Event

    rows = (
        Event.objects.filter(host_id__in=user_ids, kind__in=kinds, ends_at__lt=timezone.now())
        .values("host_id")
        .annotate(n=Count("pk"))
        .values_list("host_id", "n")
    )
    return dict(rows)


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_inbox, register_nav, register_report_facts
    from rollout.models import Event
    from rollout.people.governance import governance_facts
    from rollout.people.inbox import ethics_inbox
    from rollout.people.multipliers import ActivityCounter, register_activity_counter

    K = Event.Kind
    sessions, rounds = (
        (K.KICKOFF, K.WORKSHOP, K.TRAINING),
        (K.COMMUNITY_ROUND, K.USER_GROUP, K.SPRINT),
    )
    register_nav(*NAV)
    register_inbox(ethics_inbox)
    register_activity_counter(
        ActivityCounter(
            "sessions_hosted",
            _("Workshops and trainings held"),
            lambda ids: _hosted(ids, sessions),
            order=10,
        )
    )
    register_activity_counter(
        ActivityCounter(
            "rounds_hosted",
            _("Community rounds hosted"),
            lambda ids: _hosted(ids, rounds),
            order=20,
        )
    )
    register_report_facts(governance_facts)
    register_action_labels(AUDIT_LABELS)
