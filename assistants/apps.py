from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantsConfig(AppConfig):
    name = "assistants"
    verbose_name = _("AI assistants")

    def ready(self) -> None:
        from assistants import setup
        from portal.registry import NavItem, register_nav, register_stack_preparer

        register_nav(NavItem(_("Assistants"), "assistants:index", order=40))
        register_stack_preparer(setup.prepare_demo_model)
