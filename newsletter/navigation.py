"""The newsletter's entry in the main navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.registry import NavItem

NAV = [
    NavItem(
        _("Newsletter"),
        "newsletter:archive",
        order=65,
        active_prefix="/newsletter/",
        group="programme",
    )
]
