from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each feature plugs into the portal through its `hooks.register()`, in this order (the
# report shows the features' facts in it; the demo data comes last, built on all of them).
FEATURES = (
    "programme", "events", "usecases", "people", "faq", "officehours", "surveys", "search", "demo",
)  # fmt: skip


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Rollout programme")

    def ready(self) -> None:
        for feature in FEATURES:
            import_module(f"rollout.{feature}.hooks").register()
