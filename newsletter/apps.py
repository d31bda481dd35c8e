from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        from assistants.kinds import register_job_kind
        from newsletter import navigation
        from newsletter.demo import seed_newsletter
        from newsletter.services.issues import AUDIT_LABELS
        from newsletter.services.model_draft import DRAFT
        from newsletter.services.sending import AUDIT_LABELS as SENDING_AUDIT_LABELS
        from portal.audit import register_action_labels
        from portal.registry import register_demo_seeder, register_nav

        register_nav(*navigation.NAV)
        register_job_kind(DRAFT)
        register_demo_seeder(seed_newsletter)
        register_action_labels(AUDIT_LABELS)
        register_action_labels(SENDING_AUDIT_LABELS)
