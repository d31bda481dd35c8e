"""Registries through which higher layers show themselves in the base.

`portal` must not import `rollout`, `assistants` or `newsletter`. Instead, each app
registers its navigation entries, home-page cards, demo data and start-up preparations in
its `AppConfig.ready()`, and the base iterates these lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from portal.http import AuthenticatedHttpRequest
    from portal.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[Role, ...] = ()  # empty: everyone signed in
    order: int = 50
    active_prefix: str = ""  # URL path prefix that marks the item as current


@dataclass(frozen=True)
class HomeCard:
    """A card on a person's home page: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


HomeCardProvider = Callable[["AuthenticatedHttpRequest"], list[HomeCard]]
DemoSeeder = Callable[[Callable[[str], None]], None]

nav_items: list[NavItem] = []
home_card_providers: list[HomeCardProvider] = []
demo_seeders: list[tuple[int, DemoSeeder]] = []
stack_preparers: list[Callable[[], str | None]] = []
# Facts for the steering-committee report: each provider returns (heading, lines).
ReportFacts = Callable[[], list[tuple[str, list[str]]]]
report_fact_providers: list[tuple[int, ReportFacts]] = []


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in nav_items:
            nav_items.append(item)
    nav_items.sort(key=lambda i: i.order)


def register_home_cards(provider: HomeCardProvider) -> None:
    if provider not in home_card_providers:
        home_card_providers.append(provider)


def register_demo_seeder(seeder: DemoSeeder, *, order: int) -> None:
    """Register demo data; lower `order` runs first (people before programme data)."""
    if all(s is not seeder for _, s in demo_seeders):
        demo_seeders.append((order, seeder))
        demo_seeders.sort(key=lambda pair: pair[0])


def register_stack_preparer(preparer: Callable[[], str | None]) -> None:
    """Register work for `runstack` before workers start; it may return a line to print."""
    if preparer not in stack_preparers:
        stack_preparers.append(preparer)


def register_report_facts(provider: ReportFacts, *, order: int) -> None:
    """Register facts for the programme status report; lower `order` comes first."""
    if all(p is not provider for _, p in report_fact_providers):
        report_fact_providers.append((order, provider))
        report_fact_providers.sort(key=lambda pair: pair[0])
