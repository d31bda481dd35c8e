"""One-click unsubscribe (RFC 8058) and the preferences page."""

from __future__ import annotations

from django.test import Client

from newsletter.models import Issue, Preference
from newsletter.services.recipients import recipient_count
from newsletter.services.tokens import unsubscribe_token, user_from_unsubscribe_token
from portal.models import AuditEntry


def _subscribed(user) -> bool:
    return not Preference.objects.filter(user=user, subscribed=False).exists()


def test_token_round_trip_and_forgery(alice, bob) -> None:
    token = unsubscribe_token(alice)
    assert user_from_unsubscribe_token(token) == alice
    assert user_from_unsubscribe_token(token[:-2] + "xx") is None
    assert user_from_unsubscribe_token("nonsense") is None
    assert unsubscribe_token(bob) != token


def test_get_shows_a_confirmation_and_changes_nothing(client, alice) -> None:
    response = client.get(f"/newsletter/abmelden/{unsubscribe_token(alice)}/")
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert "alice@firma.test" in response.content.decode()
    assert _subscribed(alice)


def test_one_click_post_without_login_or_csrf_token(alice, bob) -> None:
    client = Client(enforce_csrf_checks=True)
    url = f"/newsletter/abmelden/{unsubscribe_token(alice)}/"
    response = client.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not _subscribed(alice) and _subscribed(bob)
    issue = Issue.objects.create(subject_de="S", body_de="B")
    assert recipient_count(issue) == 1  # bob only
    # Idempotent: a mail client retrying gets the same answer, and nothing more happens.
    again = client.post(url, data="List-Unsubscribe=One-Click", content_type="text/plain")
    assert again.status_code == 200
    assert AuditEntry.objects.filter(action="newsletter.unsubscribed").count() == 1


def test_bad_token_is_404(client, alice) -> None:
    token = unsubscribe_token(alice)
    assert client.get(f"/newsletter/abmelden/{token}x/").status_code == 404
    assert client.post(f"/newsletter/abmelden/{token}x/").status_code == 404
    assert client.post("/newsletter/abmelden/abc/").status_code == 404
    assert _subscribed(alice)


def test_confirmation_speaks_the_persons_language(client, alice) -> None:
    alice.preferred_language = "en"
    alice.save()
    response = client.post(f"/newsletter/abmelden/{unsubscribe_token(alice)}/")
    assert '<html lang="en">' in response.content.decode()
    assert "no longer receives the newsletter" in response.content.decode()


def test_preferences_toggle(client, alice) -> None:
    client.force_login(alice)
    page = client.get("/newsletter/einstellungen/")
    assert page.status_code == 200 and page.context["subscribed"]
    response = client.post("/newsletter/einstellungen/", {"subscribed": "0"})
    assert response.status_code == 302
    assert not _subscribed(alice)
    assert not client.get("/newsletter/einstellungen/").context["subscribed"]
    client.post("/newsletter/einstellungen/", {"subscribed": "1"})
    assert _subscribed(alice)
    actions = list(
        AuditEntry.objects.filter(action__startswith="newsletter.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["newsletter.unsubscribed", "newsletter.subscribed"]


def test_preferences_need_a_login(client, db) -> None:
    response = client.post("/newsletter/einstellungen/", {"subscribed": "0"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Preference.objects.exists()
