"""The Django admin in the role × URL matrix, and the matrix's reach over exports and fragments.

Every registered ModelAdmin's changelist, add and change page (the change page of a real
row): anonymous visitors end on the login page, signed-in people without the admin role on
a 403, and the programme admin (with two-factor) gets the page. Then: every export (CSV,
PDF, DOCX, ICS), calendar feed and htmx fragment the portal has is a row of the matrix in
tests/portal/test_access.py or tested apart (SEPARATELY_TESTED), so none escapes the
access tests.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from tests.matrix import CAST
from tests.portal.test_access import MATRIX, OWN_NAMESPACES, SEPARATELY_TESTED
from tests.portal.test_access import ids as ids  # the matrix's objects (a fixture)
from tests.security.test_fuzz_forms import requests_on

pytestmark = pytest.mark.django_db

NOT_ADMINS = [m for m in CAST if m != "ada"]
# What the programme admin may do in Django's admin follows her role's permissions: the
# programme's records, yes; accounts, their second factors and sign-on secrets, and the
# audit log (read on /audit/), only a superuser.
SUPERUSER_ONLY = {
    "account.emailaddress",
    "auth.group",
    "mfa.authenticator",
    "portal.auditentry",
    "socialaccount.socialaccount",
    "socialaccount.socialapp",
    "socialaccount.socialtoken",
}
# Added elsewhere, never in the admin: jobs from the assistants' pages, templates by
# migrations, the log by the portal itself; for ada also people and invitations (the
# portal's own, audited pages) and the programme (set up once).
NO_ADD = {"assistants.generationjob", "assistants.protocoltemplate", "portal.auditentry"}
ADA_NO_ADD = NO_ADD | {"portal.invitation", "portal.user", "rollout.programme"}


def _label(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _admin_names() -> list[str]:
    return sorted(_label(model) for model in admin.site._registry)


@pytest.fixture
def admin_rows(ids, cast) -> dict[str, Model]:
    """One row of every model the admin shows (the matrix's objects, plus a few more)."""
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    from portal.models import Invitation
    from portal.services import audit_record
    from rollout.models import Multiplier

    Invitation.objects.create(
        email="gast@extern.test",
        role="reviewer",
        invited_by=cast["ada"],
        expires_at=timezone.now() + timedelta(days=14),
    )
    audit_record(actor=cast["ada"], action="admin.test", target=cast["alice"])
    Multiplier.objects.get_or_create(
        user=cast["bob"], defaults={"focus": "Prompting", "confirmed_at": timezone.now()}
    )
    app = SocialApp.objects.create(provider="openid_connect", provider_id="sso", name="SSO")
    account = SocialAccount.objects.create(user=cast["alice"], provider="sso", uid="alice")
    SocialToken.objects.create(app=app, account=account, token="geheim")
    rows = {}
    for model in admin.site._registry:
        rows[_label(model)] = model._default_manager.order_by("pk").first()
    missing = sorted(name for name, row in rows.items() if row is None)
    assert not missing, f"give these admin models a row in admin_rows: {missing}"
    return rows


def _urls(label: str, row: Model) -> dict[str, str]:
    app, model = label.split(".")
    urls = {
        "changelist": reverse(f"admin:{app}_{model}_changelist"),
        "change": reverse(f"admin:{app}_{model}_change", args=[row.pk]),
    }
    urls["add"] = reverse(f"admin:{app}_{model}_add")
    return urls


@pytest.fixture
def superuser():
    """The operator's account from `createsuperuser`, with its (mandatory) second factor."""
    from allauth.mfa.totp.internal.auth import TOTP

    from portal.models import User
    from tests.conftest import TOTP_SECRET

    user = User.objects.create_superuser("root@firma.test", "Test-Passwort-123", name="Root")
    TOTP.activate(user, TOTP_SECRET)
    return user


def _expected(label: str, view: str, *, superuser: bool) -> int:
    if view == "add" and label in (NO_ADD if superuser else ADA_NO_ADD):
        return 403
    return 403 if label in SUPERUSER_ONLY and not superuser else 200


@pytest.mark.parametrize("label", _admin_names())
def test_admin_pages_for_everyone(client, cast, admin_rows, superuser, label) -> None:
    """Anonymous → login; each cast member without the admin role → 403; ada → her role's
    pages; the superuser → every page (but "add" where rows come from elsewhere)."""
    row = admin_rows[label]
    for view, url in _urls(label, row).items():
        client.logout()
        response = client.get(url, follow=True)
        assert response.request["PATH_INFO"] == "/accounts/login/", f"anonymous {url}"
        for member in NOT_ADMINS:
            client.force_login(cast[member])
            assert client.get(url, follow=True).status_code == 403, f"{member} on {url}"
        for person, is_superuser in ((cast["ada"], False), (superuser, True)):
            client.force_login(person)
            response = client.get(url)
            expected = _expected(label, view, superuser=is_superuser)
            assert response.status_code == expected, f"{person.email} on {url}"
            if expected == 200 and view == "change":
                assert f"/{row.pk}/" in response.content.decode()


@pytest.mark.parametrize("label", _admin_names())
def test_admin_lists_survive_odd_queries(client, admin_rows, superuser, label) -> None:
    """Search, ordering, paging and filters with NUL (PostgreSQL refuses it) or a tag."""
    app, model = label.split(".")
    url = reverse(f"admin:{app}_{model}_changelist")
    client.force_login(superuser)
    for query in ("q=a%00b", "o=%00", "p=%00", "q=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E"):
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, f"{url}?{query}"
        assert "<img src=x onerror" not in response.content.decode(), f"{url}?{query}"


def test_admin_posts_are_refused_without_the_role(client, cast, admin_rows) -> None:
    """Changing a person through the admin (the riskiest row): refused for everyone else."""
    from portal.models import User
    from tests.factories import UserFactory

    target = UserFactory(email="ziel@firma.test", name="Ziel")
    url = reverse("admin:portal_user_change", args=[target.pk])
    before = User.objects.filter(pk=target.pk).values().get()
    data = {"email": "boese@extern.test", "name": "Übernommen", "is_active": "on"}
    for member in NOT_ADMINS:
        client.force_login(cast[member])
        assert client.post(url, data, follow=True).status_code == 403, member
    client.logout()
    client.post(url, data)
    assert User.objects.filter(pk=target.pk).values().get() == before


def test_the_tables_name_registered_admins() -> None:
    """A new ModelAdmin is checked above automatically; these rows must stay the
    superuser's, whatever a future group permission says."""
    assert set(_admin_names()) >= SUPERUSER_ONLY
    assert set(_admin_names()) >= ADA_NO_ADD
    assert MATRIX["admin:index"][2] == {**dict.fromkeys(CAST, 403), "ada": 200}


# ---------------------------------------------------------------------------------------
# Exports, feeds and fragments are all in the matrix

EXPORT = re.compile(r"(\.(csv|pdf|docx|ics|md|xlsx)|export\.<[^>]+>|\\\.ics)\$?$")


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> dict[str, str]:
    """Return url name → full route (path or regex) of every named pattern."""
    found = {}
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= _routes(entry, route, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            found[f"{namespace}{entry.name}"] = route
    return found


def _ours(name: str) -> bool:
    return name.split(":")[0] in OWN_NAMESPACES or name in {"healthz", "healthz-live"}


def test_every_export_and_feed_is_in_the_matrix() -> None:
    """Each URL answering with a file (CSV, PDF, DOCX, Markdown, ICS) or a feed."""
    routes = {n: r for n, r in _routes(get_resolver()).items() if _ours(n)}
    exports = {n for n, r in routes.items() if EXPORT.search(r) or "feed" in n}
    assert {
        "rollout:calendar-feed",
        "rollout:kpi-csv",
        "rollout:registrations-export",
        "rollout:survey-export",
        "assistants:protocol-export",
    } <= exports, exports
    missing = exports - set(MATRIX) - SEPARATELY_TESTED
    assert not missing, f"exports without an access test: {sorted(missing)}"


def test_every_htmx_fragment_is_in_the_matrix(client, cast, ids) -> None:
    """Every hx-get/hx-post any page of the matrix carries, for anyone allowed there."""
    fragments = set()
    for path, anonymous, per_member in MATRIX.values():
        for member in [None, *CAST]:
            if (per_member.get(member) if member else anonymous) != 200:
                continue
            if member:
                client.force_login(cast[member])
            else:
                client.logout()
            page = path.format(**ids)
            response = client.get(page)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for request in requests_on(page, response.content.decode()):
                if request.htmx:
                    fragments.add(resolve(request.url.split("?")[0]).view_name)
    ours = {name for name in fragments if _ours(name)}
    assert len(ours) >= 10, ours  # the crawl found the portal's fragments
    missing = ours - set(MATRIX) - SEPARATELY_TESTED
    assert not missing, f"htmx fragments without an access test: {sorted(missing)}"
