"""Registries through which higher layers show themselves in the base.

`portal` must not import `rollout`, `assistants` or `newsletter`. Instead, each app
registers its navigation entries, home-page cards, demo data and start-up preparations in
its `AppConfig.ready()` (rollout: each feature's `hooks.register()`), and what waits for a
person in it (the review inbox); the base iterates
these lists. Demo seeders and report facts run in registration order: apps in the order
of INSTALLED_APPS (portal, rollout, assistants, newsletter), rollout's features in the
order of `rollout.apps.FEATURES`. Cards and navigation entries carry their own position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from portal.http import AuthenticatedHttpRequest
    from portal.models import User
    from portal.roles import Role


# Menus of the main navigation: the key an entry names as its `group`, and the menu's label.
# Fewer, grouped entries keep the header on one line (desktop) and short (phone menu).
NAV_GROUPS: dict[str, Promise] = {
    "programme": _("Programme"),
    "participate": _("Take part"),
    "steering": _("Steering"),
}


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[Role, ...] = ()  # empty: everyone signed in
    order: int = 50
    active_prefix: str = ""  # URL path prefix that marks the item as current
    group: str = ""  # a key of NAV_GROUPS, or "" for an entry of its own


@dataclass(frozen=True)
class HomeCard:
    """A card on a person's home page: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class InboxItem:
    """Something that waits for this person: a protocol to review, a question to answer."""

    kind: str | Promise  # what to do, e.g. "Protokoll prüfen"; items are grouped by it
    title: str
    url: str
    since: datetime | None = None  # waiting since (the oldest first)
    note: str | Promise = ""


HomeCardProvider = Callable[["AuthenticatedHttpRequest"], list[HomeCard]]
InboxProvider = Callable[["User"], list[InboxItem]]
DemoSeeder = Callable[[Callable[[str], None]], None]

nav_items: list[NavItem] = []
home_card_providers: list[HomeCardProvider] = []
inbox_providers: list[InboxProvider] = []
demo_seeders: list[DemoSeeder] = []
stack_preparers: list[Callable[[], str | None]] = []
# Facts for the steering-committee report: each provider returns (heading, lines).
ReportFacts = Callable[[], list[tuple[str, list[str]]]]
report_fact_providers: list[ReportFacts] = []


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item.group and item.group not in NAV_GROUPS:
            raise ValueError(f"unknown navigation group {item.group!r} of {item.url_name}")
        if item not in nav_items:
            nav_items.append(item)
    nav_items.sort(key=lambda i: i.order)


def register_home_cards(provider: HomeCardProvider) -> None:
    if provider not in home_card_providers:
        home_card_providers.append(provider)


def register_inbox(provider: InboxProvider) -> None:
    """Register what waits for a person in an app (the review inbox, /zu-erledigen/)."""
    if provider not in inbox_providers:
        inbox_providers.append(provider)


def register_demo_seeder(seeder: DemoSeeder) -> None:
    """Register demo data; seeders run in registration order (people before programme)."""
    if seeder not in demo_seeders:
        demo_seeders.append(seeder)


def register_stack_preparer(preparer: Callable[[], str | None]) -> None:
    """Register work for `runstack` before workers start; it may return a line to print."""
    if preparer not in stack_preparers:
        stack_preparers.append(preparer)


def register_report_facts(provider: ReportFacts) -> None:
    """Register facts for the programme status report, shown in registration order."""
    if provider not in report_fact_providers:
        report_fact_providers.append(provider)
