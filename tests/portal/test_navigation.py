"""The main navigation: few entries, grouped into menus, the current page marked."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.utils import translation

from portal.context_processors import shell
from portal.registry import NAV_GROUPS, NavItem, register_nav


def _entries(user, path: str = "/") -> list[dict]:
    request = RequestFactory().get(path)
    request.user = user
    return shell(request)["nav_entries"]


@pytest.fixture(autouse=True)
def _german():
    # Labels are lazy: they render in the language active when compared, whatever ran before.
    with translation.override("de"):
        yield


def _labels(entries: list[dict]) -> list[str]:
    return [
        f"{entry['label']}: " + ", ".join(str(link["label"]) for link in entry["links"])
        if "links" in entry
        else str(entry["label"])
        for entry in entries
    ]


def test_an_employee_sees_seven_entries_three_of_them_menus(alice) -> None:
    assert _labels(_entries(alice)) == [
        "Start",
        "Programm: Fahrplan, Termine, Newsletter",
        "FAQ",
        "Sprechstunden",
        "Mitmachen: Use Cases, Multiplikator:innen, Umfragen",
        "Assistenten",
        "Meine Aufgaben",
    ]


def test_the_admin_gets_one_steering_menu_instead_of_six_entries(ada) -> None:
    labels = _labels(_entries(ada))

    assert len(labels) == 8
    assert labels[-1] == (
        "Steuerung: Programm-Cockpit, Gremien, Personen, Audit-Protokoll, Erscheinungsbild, "
        "Suchsynonyme"
    )


def test_the_page_marks_its_entry_and_the_menu_around_it(alice) -> None:
    entries = _entries(alice, "/termine/12/")

    programme = next(e for e in entries if e.get("key") == "programme")
    assert programme["current"] is True
    assert [str(link["label"]) for link in programme["links"] if link["current"]] == ["Termine"]
    assert not any(e["current"] for e in entries if e is not programme)


def test_a_menu_with_one_entry_for_this_person_is_that_entry(alice, monkeypatch) -> None:
    from portal import registry
    from portal.roles import Role

    # Only admins see the people page: for anyone else "steering" holds nothing or one entry.
    monkeypatch.setattr(
        registry,
        "nav_items",
        [
            NavItem("Personen", "portal:people", (Role.PROGRAMME_ADMIN,), group="steering"),
            NavItem("Fahrplan", "rollout:roadmap", group="programme"),
        ],
    )

    assert _labels(_entries(alice)) == ["Fahrplan"]


def test_an_unknown_group_is_refused_at_registration() -> None:
    with pytest.raises(ValueError, match="navigation group"):
        register_nav(NavItem("X", "portal:home", group="no-such-group"))
    assert "no-such-group" not in NAV_GROUPS


def test_the_header_renders_menus_and_a_menu_button(client, ada) -> None:
    client.force_login(ada)

    html = client.get("/personen/").content.decode()
    nav = html[html.index('<nav id="main-nav"') : html.index("</nav>")]

    assert 'aria-controls="main-nav"' in html and ">Menü</button>" in html
    assert len(re.findall(r"<details", nav)) == 3
    assert '<details class="current">\n              <summary>Steuerung</summary>' in nav
    assert 'href="/personen/" aria-current="page">Personen</a>' in nav
    assert 'href="/faq/">FAQ</a>' in nav  # an entry of its own, not a menu
