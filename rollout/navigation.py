"""The rollout app's entries in the main navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.registry import NavItem
from portal.roles import Role

OVERSIGHT = (Role.PROGRAMME_ADMIN, Role.WORKS_COUNCIL)

NAV = [
    NavItem(_("Roadmap"), "rollout:roadmap", order=10),
    NavItem(_("FAQ"), "rollout:faq", order=15, active_prefix="/faq/"),
    NavItem(
        _("Office hours"), "rollout:officehour-list", order=17, active_prefix="/sprechstunden/"
    ),
    NavItem(_("Events"), "rollout:event-list", order=20, active_prefix="/termine/"),
    NavItem(_("Use cases"), "rollout:usecase-list", order=25, active_prefix="/anwendungsfaelle/"),
    NavItem(_("Surveys"), "rollout:survey-list", order=35, active_prefix="/umfragen/"),
    NavItem(
        _("Multipliers"), "rollout:multiplier-list", order=30, active_prefix="/multiplikatoren/"
    ),
    NavItem(
        _("Programme dashboard"),
        "rollout:dashboard",
        roles=OVERSIGHT,
        order=60,
        active_prefix="/programm/",
    ),
    NavItem(
        _("Committees"), "rollout:governance", roles=OVERSIGHT, order=70, active_prefix="/gremien/"
    ),
]
