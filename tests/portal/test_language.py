"""German first: German by default, English as a choice that sticks to the person."""

from __future__ import annotations

import pytest

from portal.models import User

pytestmark = pytest.mark.django_db


def test_german_by_default_even_for_english_browsers(client) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_anonymous_switch_sets_cookie(client) -> None:
    response = client.post("/sprache/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/")
    assert page["Content-Language"] == "en"


def test_switch_is_stored_as_preference(client, alice) -> None:
    client.force_login(alice)
    client.post("/sprache/", {"language": "en", "next": "/"})
    assert User.objects.get(pk=alice.pk).preferred_language == "en"
    client.cookies.clear()
    client.force_login(alice)
    assert client.get("/")["Content-Language"] == "en"


def test_unknown_language_and_foreign_next_are_refused(client) -> None:
    response = client.post("/sprache/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/accounts/login/")["Content-Language"] == "de"
