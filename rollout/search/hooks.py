"""What search plugs into the portal: the glossary page in the admin menu, audit names."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.registry import NavItem

AUDIT_LABELS = {"search.glossary_changed": _("Search synonyms changed")}


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_nav
    from portal.roles import Role

    register_nav(
        NavItem(
            _("Search synonyms"),
            "rollout:search-glossary",
            (Role.PROGRAMME_ADMIN,),
            order=97,
            group="steering",
        )
    )
    register_action_labels(AUDIT_LABELS)
