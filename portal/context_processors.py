"""What every page of the shell needs: navigation for the person's roles, languages.

The inbox's count is not here: the header fetches it after the page (portal:inbox-count),
so no page pays for the queries behind it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from portal import registry


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        for item in registry.nav_items:
            if item.roles and not user.has_role(*item.roles):
                continue
            url = reverse(item.url_name)
            nav.append(
                {
                    "label": item.label,
                    "url": url,
                    "prefix": item.active_prefix or url,
                    "current": False,
                }
            )
        # The most specific entry whose prefix the page is under is the current one.
        matches = [
            n
            for n in nav
            if request.path == n["url"]
            or (n["prefix"] != "/" and request.path.startswith(n["prefix"]))
        ]
        if matches:
            max(matches, key=lambda n: len(n["prefix"]))["current"] = True
    return {
        "nav_items": nav,
        "portal_languages": settings.LANGUAGES,
        "signup_open": bool(settings.SIGNUP_DOMAINS),
    }
