from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Rollout programme")

    def ready(self) -> None:
        from portal.registry import (
            NavItem,
            register_demo_seeder,
            register_home_cards,
            register_nav,
            register_report_facts,
        )
        from rollout import cards, demo, report

        register_nav(
            NavItem(_("Roadmap"), "rollout:roadmap", order=10),
            NavItem(_("Events"), "rollout:event-list", order=20),
        )
        register_home_cards(cards.phase_cards)
        register_home_cards(cards.event_cards)
        register_demo_seeder(demo.seed_programme, order=10)
        register_demo_seeder(demo.seed_events, order=20)
        register_report_facts(report.programme_facts, order=10)
