"""The demo company's data, registered as one seeder per feature in the order they build on
each other (called from AppConfig.ready())."""

from __future__ import annotations


def register() -> None:
    from portal.registry import register_demo_seeder
    from rollout.demo import events, faq, kpis, officehours, people, programme, surveys, usecases

    # Multipliers come from workshop attendance; the KPI history reads use cases and surveys.
    for seeder in (
        programme.seed_programme,
        events.seed_events,
        people.seed_multipliers,
        people.seed_governance,
        usecases.seed_use_cases,
        surveys.seed_surveys,
        kpis.seed_milestones_and_kpis,
        faq.seed_faq,
        officehours.seed_office_hours,
    ):
        register_demo_seeder(seeder)
