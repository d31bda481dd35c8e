"""Accounts: email login, sign-up by domain or invitation, two-factor, rate limits, admin."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache

from portal.models import AuditEntry, Invitation, User
from portal.roles import Role
from portal.tasks import invitation_send
from tests.conftest import TOTP_SECRET

pytestmark = pytest.mark.django_db
SIGNUP = {
    "name": "Erika Muster",
    "password1": "Sicheres-Passwort-42",
    "password2": "Sicheres-Passwort-42",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()  # rate-limit counters live in the real Redis cache


def test_login_by_email_without_username(client, alice) -> None:
    response = client.post(
        "/accounts/login/", {"login": "alice@firma.test", "password": "Test-Passwort-123"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_signup_open_for_allowed_domain(client, settings) -> None:
    settings.SIGNUP_DOMAINS = ["firma.test"]
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "erika@firma.test"})
    assert response.status_code == 302
    user = User.objects.get(email="erika@firma.test")
    assert user.name == "Erika Muster"
    assert user.roles == {"employee"}
    assert len(mail.outbox) == 1  # email verification


def test_signup_refused_for_other_domain_with_clear_message(client, settings) -> None:
    settings.SIGNUP_DOMAINS = ["firma.test"]
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "erika@gmail.example"})
    assert response.status_code == 200
    assert "firma.test" in response.content.decode()
    assert not User.objects.filter(email="erika@gmail.example").exists()


def test_signup_closed_without_domains_or_invitation(client, settings) -> None:
    settings.SIGNUP_DOMAINS = []
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "erika@firma.test"})
    assert not User.objects.filter(email="erika@firma.test").exists()
    assert response.status_code == 200


def test_invitation_lets_outsider_sign_up_with_role(
    client, ada, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SIGNUP_DOMAINS = []
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/einladungen/", {"email": "Extern@Berater.example", "role": "reviewer"}
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the mail is queued only after the commit
    invitation = Invitation.objects.get()
    assert invitation.email == "extern@berater.example"
    invitation_send(invitation.pk)
    invitation_send(invitation.pk)  # delivered twice: harmless, the same link
    assert invitation.token in mail.outbox[0].body
    client.logout()

    assert client.get(f"/einladung/{invitation.token}/").status_code == 302
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "extern@berater.example"})
    assert response.status_code == 302
    user = User.objects.get(email="extern@berater.example")
    assert user.roles == {"employee", "reviewer"}
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.get(f"/einladung/{invitation.token}/").status_code == 404  # used up
    assert AuditEntry.objects.filter(action="invitation.created").exists()


def test_invitation_for_existing_person_is_refused(client, ada, alice) -> None:
    client.force_login(ada)
    response = client.post("/einladungen/", {"email": alice.email, "role": "employee"})
    assert response.status_code == 200
    assert Invitation.objects.count() == 0


def test_failed_logins_are_rate_limited_in_redis(client, alice) -> None:
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": alice.email, "password": "falsch"})
        assert response.status_code == 200
    # The limit holds even with the right password now, with a message saying why.
    response = client.post(
        "/accounts/login/", {"login": alice.email, "password": "Test-Passwort-123"}
    )
    assert response.status_code == 200
    assert "Anmeldeversuche" in response.content.decode()
    assert client.get("/").status_code == 302
    assert cache._cache.get_client().keys("*allauth*rl*login_failed*")  # in the real Redis


def test_too_many_logins_per_minute_get_429(client, alice) -> None:
    statuses = {
        client.post("/accounts/login/", {"login": f"x{i}@firma.test", "password": "x"}).status_code
        for i in range(31)
    }
    assert 429 in statuses


def test_role_requiring_two_factor_is_sent_to_setup(client, settings) -> None:
    from tests.factories import UserFactory

    admin = UserFactory(email="neu@firma.test", roles=[Role.PROGRAMME_ADMIN])
    client.force_login(admin)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/admin/").status_code == 302  # the admin too
    setup = client.get("/accounts/2fa/totp/activate/")  # allauth asks for the password first
    assert setup.status_code == 302
    assert setup["Location"].startswith("/accounts/reauthenticate/")


def test_login_with_two_factor_asks_for_code(client, ada) -> None:
    response = client.post(
        "/accounts/login/", {"login": ada.email, "password": "Test-Passwort-123"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not signed in yet
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def _two_factor_step(client, ada, *, periods_ago: int) -> int:
    client.post("/accounts/login/", {"login": ada.email, "password": "Test-Passwort-123"})
    counter = int(time.time()) // 30 - periods_ago
    code = format_hotp_value(hotp_value(TOTP_SECRET, counter))
    return client.post("/accounts/2fa/authenticate/", {"code": code}).status_code


def test_code_from_the_period_just_ended_still_counts_but_only_once(client, ada) -> None:
    """A code typed as its 30 seconds run out is accepted in the next period (one step of
    tolerance); the same code a second time, or one two periods old, is refused."""
    if time.time() % 30 > 25:  # all three steps inside one period, so "one ago" stays one ago
        time.sleep(30 - time.time() % 30 + 0.2)
    assert _two_factor_step(client, ada, periods_ago=1) == 302
    assert client.get("/").status_code == 200
    client.logout()
    assert _two_factor_step(client, ada, periods_ago=1) == 200  # form again, with an error
    assert client.get("/").status_code == 302
    client.logout()
    assert _two_factor_step(client, ada, periods_ago=3) == 200
    assert client.get("/").status_code == 302


def test_admin_behind_allauth_login(client, ada, alice) -> None:
    response = client.get("/admin/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/login/"
    client.force_login(alice)
    assert client.get("/admin/", follow=True).status_code == 403
    client.force_login(ada)
    assert client.get("/admin/").status_code == 200


def test_admin_changes_roles_and_it_is_audited(client, ada, alice) -> None:
    client.force_login(ada)
    response = client.post(f"/personen/{alice.pk}/rollen/", {"roles": ["multiplier"]})
    assert response.status_code == 302
    alice = User.objects.get(pk=alice.pk)
    assert alice.roles == {"employee", "multiplier"}
    entry = AuditEntry.objects.filter(action="roles.changed", target_id=str(alice.pk)).latest("id")
    assert entry.actor == ada
    assert entry.details["after"] == ["employee", "multiplier"]


def test_admin_cannot_remove_own_admin_role(client, ada) -> None:
    client.force_login(ada)
    response = client.post(f"/personen/{ada.pk}/rollen/", {"roles": []})
    assert response.status_code == 200
    assert User.objects.get(pk=ada.pk).has_role(Role.PROGRAMME_ADMIN)


def test_password_reset_by_mail(client, alice) -> None:
    response = client.post("/accounts/password/reset/", {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_roles_exist_as_groups_with_permissions() -> None:
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    admin = Group.objects.get(name=Role.PROGRAMME_ADMIN)
    assert admin.permissions.filter(codename="invite_people").exists()
    assert admin.permissions.filter(codename="change_phase").exists()
    council = Group.objects.get(name=Role.WORKS_COUNCIL)
    # Oversight reads: the audit log and the committees' records, nothing it could change.
    assert set(council.permissions.values_list("codename", flat=True)) == {
        "view_auditentry_all",
        "view_decision",
        "view_ethicsreview",
    }


def test_single_sign_on_button_when_configured(client, settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Firmen-Login",
                    "client_id": "portal",
                    "secret": "s",
                    "settings": {"server_url": "https://sso.firma.test/realms/firma"},
                }
            ]
        }
    }
    page = client.get("/accounts/login/").content.decode()
    assert "Firmen-Login" in page
    assert "/accounts/oidc/sso/login/" in page


def test_login_page_offers_sign_up_only_when_open(client, settings) -> None:
    settings.SIGNUP_DOMAINS = []
    assert "/accounts/signup/" not in client.get("/accounts/login/").content.decode()
    settings.SIGNUP_DOMAINS = ["firma.test"]
    assert "/accounts/signup/" in client.get("/accounts/login/").content.decode()
