"""Security headers on real responses, and the login: rate limits and enforced two-factor.

Headers: every page of the role × URL matrix, fetched as someone allowed there, carries a
strict CSP (no 'unsafe-inline'/'unsafe-eval' in any directive, no framing), and every
response to a signed-in person or behind a personal token is `no-store`. A process started
with the production settings answers with HSTS (preload) and `__Host-` cookies.

Login: failed attempts are counted per account and per address; while limited
even the right password is refused. Roles that need two-factor (admins, reviewers) reach
no page of their role without it, and not by way of Django's own admin login either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.cache import cache

from portal.models import Invitation, User
from portal.roles import Role
from portal.services import user_roles_set
from tests.conftest import TOTP_SECRET
from tests.matrix import CAST
from tests.portal.test_access import MATRIX
from tests.portal.test_access import ids as ids  # the matrix's objects (a fixture)
from tests.portal.test_configuration import PRODUCTION, ROOT

pytestmark = pytest.mark.django_db
PASSWORD = "Test-Passwort-123"
SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()  # rate-limit counters live in the real Redis cache


def _pages() -> list[tuple[str, str | None]]:
    """Return (name, member) for every matrix row: the first cast member allowed there,
    and nobody (None) where anonymous visitors are served too."""
    pages = []
    for name, (_path, anonymous, per_member) in sorted(MATRIX.items()):
        allowed = [m for m in CAST if per_member.get(m) == 200]
        pages += [(name, allowed[0])] if allowed else []
        pages += [(name, None)] if anonymous == 200 else []
    return pages


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


# ---------------------------------------------------------------------------------------
# Headers


@pytest.mark.parametrize(("name", "member"), _pages())
def test_every_page_has_a_strict_csp_and_is_not_stored(client, cast, ids, name, member):
    """CSP in every directive, no framing, no sniffing; for a signed-in person, never kept
    by a cache (anonymous pages with a personal token: see below)."""
    if member:
        client.force_login(cast[member])
    response = client.get(MATRIX[name][0].format(**ids), follow=True)
    assert response.status_code == 200
    csp = _csp(response["Content-Security-Policy"])
    for directive, sources in csp.items():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(sources), directive
    assert csp["default-src"] == ["'self'"]
    assert set(csp["script-src"]) == {"'self'"}  # no hosts, no data:, no nonce needed
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    if member:
        cache_control = {p.strip() for p in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache_control, response["Cache-Control"]


def test_htmx_fragments_are_not_stored_either(client, alice, bob) -> None:
    """A fragment of a personal page is as personal as the page."""
    client.force_login(alice)
    for path in ("/anwendungsfaelle/suche/?q=Protokoll", "/faq/?q=Daten", "/sprechstunden/"):
        response = client.get(path, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], path
        assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_pages_behind_a_personal_token_are_not_stored(client, charlie) -> None:
    """Unsubscribe page and calendar feed: no session, but a person's name or dates."""
    from newsletter.services.tokens import unsubscribe_token
    from rollout.events.calendar import calendar_token_replace

    client.logout()
    for path in (
        f"/newsletter/abmelden/{unsubscribe_token(charlie)}/",
        f"/termine/kalender/{calendar_token_replace(user=charlie).token}.ics",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path


def test_the_error_pages_carry_the_headers_too(client, alice) -> None:
    """A 404 and a 403 are responses like any other: CSP and no framing."""
    client.force_login(alice)
    for path, status in (("/gibt-es-nicht/", 404), ("/personen/", 403)):
        response = client.get(path)
        assert response.status_code == status
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"]


_PRODUCTION_SCRIPT = """
import django, json, sys
django.setup()
from django.conf import settings
settings.STATIC_ROOT = sys.argv[1]
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client

def cookie(c):
    return {k: c[k] for k in ("secure", "httponly", "samesite", "path", "domain")}

client = Client(HTTP_HOST="ki.firma.test")
page = client.get("/accounts/login/", secure=True)
login = client.post(
    "/accounts/login/", {"login": sys.argv[2], "password": sys.argv[3]}, secure=True
)
home = client.get("/", secure=True)
print(json.dumps({
    "hsts": page["Strict-Transport-Security"],
    "csp": page["Content-Security-Policy"],
    "frame": page["X-Frame-Options"],
    "referrer": page["Referrer-Policy"],
    "opener": page["Cross-Origin-Opener-Policy"],
    "login": login.status_code,
    "cookies": {name: cookie(c) for name, c in client.cookies.items() if c.value},
    "home": home.status_code,
    "home_cache": home["Cache-Control"],
    "home_hsts": home["Strict-Transport-Security"],
}))
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_production_login_sets_host_only_secure_cookies(alice, tmp_path) -> None:
    """A real sign-in under the production settings: HSTS with preload, `__Host-` cookies
    (Secure, path /, no domain, SameSite), the session cookie out of JavaScript's reach.

    The CSRF cookie stays readable (Django's default; the portal sends the token from the
    page through hx-headers, so nothing needs to read it)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # The production process knows only the real hashers (the tests use a fast one).
    alice.password = PBKDF2PasswordHasher().encode(PASSWORD, "fuzzsalt1234")
    alice.save(update_fields=["password"])
    db = settings.DATABASES["default"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        **PRODUCTION,
        "PORTAL_DATABASE_URL": f"postgres://postgres@/{db['NAME']}?host={db['HOST']}",
        "PORTAL_REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", _PRODUCTION_SCRIPT, str(tmp_path), alice.email, PASSWORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    for hsts in (facts["hsts"], facts["home_hsts"]):
        assert {"max-age=31536000", "includeSubDomains", "preload"} <= {
            p.strip() for p in hsts.split(";")
        }
    assert "'unsafe-inline'" not in facts["csp"] and "'unsafe-eval'" not in facts["csp"]
    assert facts["frame"] == "DENY"
    assert facts["referrer"] == "same-origin" and facts["opener"] == "same-origin"
    assert facts["login"] == 302 and facts["home"] == 200  # really signed in
    # Session and CSRF token carry the prefix; Django's signed message cookie (the
    # "signed in" notice, if still set) follows the session cookie's flags.
    allowed = {"__Host-sessionid", "__Host-csrftoken", "messages"}
    assert {"__Host-sessionid", "__Host-csrftoken"} <= set(facts["cookies"]) <= allowed
    for name, c in facts["cookies"].items():
        assert c["secure"] is True, name
        assert c["path"] == "/" and c["domain"] == "", name
        assert c["samesite"] == "Lax", name
        assert bool(c["httponly"]) is (name != "__Host-csrftoken"), name
    assert {"no-store", "private"} <= {p.strip() for p in facts["home_cache"].split(",")}


# ---------------------------------------------------------------------------------------
# Rate limits


def _login(client, email: str, password: str, ip: str):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_failed_logins_are_limited_per_account_across_addresses(client, alice, bob) -> None:
    """Five wrong passwords for alice from five addresses: she is locked from a sixth one,
    with the right password; bob, from that same address, is not."""
    for n in range(5):
        assert _login(client, alice.email, "falsch", f"10.0.0.{n + 1}").status_code == 200
    response = _login(client, alice.email, PASSWORD, "10.0.0.99")
    assert "Anmeldeversuche" in response.content.decode()
    assert not _signed_in(client)
    assert _login(client, bob.email, PASSWORD, "10.0.0.99").status_code == 302
    assert _signed_in(client)


def test_failed_logins_are_limited_per_address_across_accounts(client, alice) -> None:
    """Ten wrong guesses at ten accounts from one address: that address is refused even
    alice's right password; alice from another address gets in."""
    for n in range(10):
        _login(client, f"rate{n}@firma.test", "falsch", "10.0.1.1")
    response = _login(client, alice.email, PASSWORD, "10.0.1.1")
    assert response.status_code in (200, 429)
    assert not _signed_in(client)
    assert _login(client, alice.email, PASSWORD, "10.0.1.2").status_code == 302
    assert _signed_in(client)


# ---------------------------------------------------------------------------------------
# Two-factor


def _role_pages() -> dict[str, list[str]]:
    """Matrix rows only programme admins (and oversight) open, and the reviewers' rows."""
    admin = [n for n, (_p, _a, per) in MATRIX.items() if per["ada"] == 200 != per["alice"]]
    reviewer = [n for n, (_p, _a, per) in MATRIX.items() if per["rita"] == 200 != per["alice"]]
    return {Role.PROGRAMME_ADMIN: admin, Role.REVIEWER: reviewer}


def test_two_factor_roles_are_the_admin_and_the_reviewer() -> None:
    """The default the tests below rely on, and that they reach many pages."""
    assert set(settings.MFA_REQUIRED_ROLES) == {Role.PROGRAMME_ADMIN, Role.REVIEWER}
    assert len(_role_pages()[Role.PROGRAMME_ADMIN]) > 40
    assert len(_role_pages()[Role.REVIEWER]) >= 2


@pytest.mark.parametrize("role", [Role.PROGRAMME_ADMIN, Role.REVIEWER])
def test_without_totp_every_page_of_the_role_sends_to_setup(client, ids, role) -> None:
    """A new admin or reviewer, signed in with the password only: each of the role's pages
    (and the Django admin) is a redirect to the two-factor set-up, nothing of it shown."""
    from tests.factories import UserFactory

    person = UserFactory(email=f"neu-{role}@firma.test", roles=[role])
    assert person.needs_two_factor
    assert _login(client, person.email, PASSWORD, "10.0.3.1").status_code == 302
    paths = [MATRIX[name][0].format(**ids) for name in _role_pages()[role]]
    paths += ["/admin/", "/admin/portal/user/", "/admin/rollout/usecase/"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == SETUP, path


def test_a_superuser_without_totp_gets_no_admin_page(client) -> None:
    """`createsuperuser` makes an account with no role but the whole admin (second factors
    and sign-on secrets included): it must set up two-factor like a programme admin."""
    from allauth.account.models import EmailAddress

    root = User.objects.create_superuser("root@firma.test", PASSWORD, name="Root")
    EmailAddress.objects.create(user=root, email=root.email, verified=True, primary=True)
    assert root.needs_two_factor
    assert _login(client, root.email, PASSWORD, "10.0.3.2").status_code == 302
    for path in ("/admin/", "/admin/mfa/authenticator/", "/admin/socialaccount/socialapp/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == SETUP, path


def test_without_totp_an_admin_cannot_post_either(client, ids) -> None:
    """Writes are refused like reads: no invitation, no role change while set-up is due."""
    from tests.factories import UserFactory

    admin = UserFactory(email="neu-admin@firma.test", roles=[Role.PROGRAMME_ADMIN])
    client.force_login(admin)
    response = client.post("/einladungen/", {"email": "gast@extern.test", "role": "reviewer"})
    assert response.status_code == 302 and response["Location"] == SETUP
    response = client.post(f"/personen/{ids['alice']}/rollen/", {"roles": ["programme_admin"]})
    assert response.status_code == 302 and response["Location"] == SETUP
    assert not Invitation.objects.exists()
    assert not User.objects.get(pk=ids["alice"]).has_role(Role.PROGRAMME_ADMIN)


def test_a_role_granted_later_demands_two_factor_at_once(client, alice, ada) -> None:
    """alice is signed in; ada makes her a reviewer: alice's very next request goes to setup."""
    assert _login(client, alice.email, PASSWORD, "10.0.4.1").status_code == 302
    assert client.get("/anwendungsfaelle/pipeline/").status_code == 403
    user_roles_set(user=alice, roles=[Role.REVIEWER], by=ada)
    response = client.get("/anwendungsfaelle/pipeline/")
    assert response.status_code == 302 and response["Location"] == SETUP


@pytest.mark.parametrize("member", ["ada", "rita"])
def test_password_without_the_code_signs_nobody_in(client, cast, ids, member) -> None:
    """With TOTP set up, the password alone leaves the person signed out: every page of
    their role asks for the login; a wrong code changes nothing; the right one lets in."""
    person = cast[member]
    response = _login(client, person.email, PASSWORD, "10.0.5.1")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    role = Role.PROGRAMME_ADMIN if member == "ada" else Role.REVIEWER
    for name in _role_pages()[role] + ["portal:home"]:
        path = MATRIX[name][0].format(**ids)
        response = client.get(path)
        assert response.status_code == 302, path
        # Django's admin first sends to its own login, which hands over to allauth's.
        assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), path
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and not _signed_in(client)
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert _signed_in(client)


def test_djangos_admin_login_is_no_way_around_two_factor(client, ada) -> None:
    """POSTing the password to /admin/login/ does not sign in: it leads to allauth's login."""
    response = client.post(
        "/admin/login/?next=/admin/", {"username": ada.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session
