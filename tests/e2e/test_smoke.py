"""The browser sees the portal: login, home in German, the checks of every page."""

from __future__ import annotations


def test_employee_signs_in_and_sees_the_german_home(visitor) -> None:
    alice = visitor()
    alice.login("alice")
    alice.goto("/")
    assert "Abmelden" in alice.page.content()
    assert alice.page.locator("html").get_attribute("lang") == "de"
