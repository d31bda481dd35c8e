from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Rollout programme")

    def ready(self) -> None:
        from portal.audit import register_action_labels
        from portal.registry import (
            register_demo_seeder,
            register_home_cards,
            register_nav,
            register_report_facts,
        )
        from rollout import audit_labels
        from rollout.demo import kpis as demo_kpis
        from rollout.demo import people as demo_people
        from rollout.demo import programme as demo
        from rollout.demo.faq import seed_faq
        from rollout.demo.officehours import seed_office_hours
        from rollout.demo.surveys import seed_surveys
        from rollout.demo.usecases import seed_use_cases
        from rollout.faq.cards import faq_cards
        from rollout.faq.services import AUDIT_LABELS as FAQ_AUDIT_LABELS
        from rollout.navigation import NAV
        from rollout.officehours import hooks as officehour_hooks
        from rollout.people.governance import governance_facts
        from rollout.programme import cards, report
        from rollout.surveys import hooks as survey_hooks
        from rollout.usecases import hooks as usecase_hooks

        register_nav(*NAV)
        register_home_cards(cards.phase_cards)
        register_home_cards(cards.event_cards)
        register_home_cards(cards.programme_status_cards)
        register_home_cards(faq_cards)
        register_home_cards(officehour_hooks.officehour_cards)
        register_home_cards(survey_hooks.survey_cards)
        # Order matters: multipliers come from workshop attendance, KPI history from both.
        register_demo_seeder(demo.seed_programme, order=10)
        register_demo_seeder(demo.seed_events, order=20)
        register_demo_seeder(demo_people.seed_multipliers, order=30)
        register_demo_seeder(demo_people.seed_governance, order=35)
        register_demo_seeder(seed_use_cases, order=37)
        register_demo_seeder(seed_surveys, order=38)  # before the KPI history (40)
        register_demo_seeder(demo_kpis.seed_milestones_and_kpis, order=40)
        register_demo_seeder(seed_faq, order=50)
        register_demo_seeder(seed_office_hours, order=55)
        register_report_facts(report.programme_facts, order=10)
        register_report_facts(governance_facts, order=20)
        register_action_labels(audit_labels.LABELS)
        register_action_labels(FAQ_AUDIT_LABELS)
        usecase_hooks.register()  # KPI metrics, multiplier counter, audit labels, report facts
        officehour_hooks.register()  # calendar feed, multiplier counter, audit labels, report
        survey_hooks.register()  # the confidence KPI, audit labels
