"""A person's own addresses: none outside the company, and none made primary by themselves
(portal mails go to the primary address; PORTAL_SIGNUP_DOMAINS, else their own domain)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

pytestmark = pytest.mark.django_db


def _addresses(user) -> dict[str, bool]:
    return dict(EmailAddress.objects.filter(user=user).values_list("email", "primary"))


def test_an_outside_address_cannot_be_added(client, alice) -> None:
    client.force_login(alice)
    response = client.post("/accounts/email/", {"action_add": "", "email": "alice@mail.example"})
    assert response.status_code == 200
    assert "firma.test" in response.content.decode()  # what is allowed
    assert "alice@mail.example" not in _addresses(alice)
    client.post("/accounts/email/", {"action_add": "", "email": "a.schneider@firma.test"})
    assert "a.schneider@firma.test" in _addresses(alice)


def test_an_outside_address_set_by_the_team_is_not_made_primary_by_its_owner(client, alice) -> None:
    EmailAddress.objects.create(user=alice, email="alice@extern.example", verified=True)
    EmailAddress.objects.create(user=alice, email="a.schneider@firma.test", verified=True)
    client.force_login(alice)

    response = client.post(
        "/accounts/email/", {"action_primary": "", "email": "alice@extern.example"}, follow=True
    )

    assert "firma.test" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@firma.test"
    assert _addresses(alice)["alice@extern.example"] is False
    client.post("/accounts/email/", {"action_primary": "", "email": "a.schneider@firma.test"})
    alice.refresh_from_db()
    assert alice.email == "a.schneider@firma.test"  # within the company: fine


def test_the_sign_up_domains_decide_where_they_are_set(client, alice, settings) -> None:
    settings.SIGNUP_DOMAINS = ["hallberg.example"]
    client.force_login(alice)
    client.post("/accounts/email/", {"action_add": "", "email": "a.schneider@firma.test"})
    client.post("/accounts/email/", {"action_add": "", "email": "alice@hallberg.example"})
    assert set(_addresses(alice)) == {"alice@firma.test", "alice@hallberg.example"}
