"""What every page of the shell needs: navigation for the person's roles, languages.

The inbox's count is not here: the header fetches it after the page (portal:inbox-count),
so no page pays for the queries behind it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from portal import branding, registry


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        nav = _nav_for(user, request.path)
    return {
        "brand": branding.current(),  # from the cache: no query
        "nav_entries": _grouped(nav),
        "portal_languages": settings.LANGUAGES,
        "signup_open": bool(settings.SIGNUP_DOMAINS),
    }


def _nav_for(user, path: str) -> list[dict]:
    """The person's navigation entries in order, the current one marked."""
    nav = []
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
                "group": item.group,
            }
        )
    # The most specific entry whose prefix the page is under is the current one.
    matches = [
        n for n in nav if path == n["url"] or (n["prefix"] != "/" and path.startswith(n["prefix"]))
    ]
    if matches:
        max(matches, key=lambda n: len(n["prefix"]))["current"] = True
    return nav


def _grouped(nav: list[dict]) -> list[dict]:
    """Entries of one group become a menu at the place of its first entry; a group with a
    single entry for this person is shown as that entry (a menu of one is a detour)."""
    sizes: dict[str, int] = {}
    for entry in nav:
        sizes[entry["group"]] = sizes.get(entry["group"], 0) + 1
    entries: list[dict] = []
    menus: dict[str, dict] = {}
    for entry in nav:
        key = entry["group"]
        if not key or sizes[key] == 1:
            entries.append(entry)
            continue
        if key not in menus:
            menus[key] = {"label": registry.NAV_GROUPS[key], "key": key, "links": []}
            entries.append(menus[key])
        menus[key]["links"].append(entry)
    for menu in menus.values():
        menu["current"] = any(item["current"] for item in menu["links"])
    return entries
