from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import cards, demo, report
        from portal.registry import (
            NavItem,
            register_demo_seeder,
            register_home_cards,
            register_nav,
            register_report_facts,
        )
        from portal.roles import OVERSIGHT, Role

        register_nav(
            NavItem(_("Home"), "portal:home", order=0),
            NavItem(
                _("People"),
                "portal:people",
                (Role.PROGRAMME_ADMIN,),
                order=80,
                active_prefix="/personen/",
                group="steering",
            ),
            NavItem(
                _("Branding"),
                "portal:branding",
                (Role.PROGRAMME_ADMIN,),
                order=95,
                group="steering",
            ),
            NavItem(
                _("Audit log"),
                "portal:audit-log",
                OVERSIGHT,
                order=90,
                group="steering",
            ),
        )
        register_home_cards(cards.portal_cards)
        register_demo_seeder(demo.seed_people)
        register_report_facts(report.people_facts)
