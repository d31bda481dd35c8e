"""Role × URL matrix: every view of the portal, for anonymous visitors and the whole cast.

anonymous → login page (or public), signed in without the role → 403, allowed → 200.
A new view that is not listed here fails `test_matrix_covers_every_view`.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.matrix import ADMIN_ONLY, ALICES_OWN, CAST, EVERYONE, LOGIN, OVERSIGHT

# url name → (path, expected for anonymous, expected per cast member)
MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "portal:home": ("/", LOGIN, EVERYONE),
    "portal:privacy": ("/datenschutz/", 200, EVERYONE),
    "portal:inbox": ("/zu-erledigen/", LOGIN, EVERYONE),
    "portal:inbox-count": ("/zu-erledigen/anzahl/", LOGIN, EVERYONE),
    "portal:audit-log": ("/audit/", LOGIN, OVERSIGHT),
    "portal:people": ("/personen/", LOGIN, ADMIN_ONLY),
    "portal:person-roles": ("/personen/{alice}/rollen/", LOGIN, ADMIN_ONLY),
    "portal:invitations": ("/einladungen/", LOGIN, ADMIN_ONLY),
    "portal:invitation-accept": ("/einladung/unknown-token/", 404, dict.fromkeys(CAST, 404)),
    "portal:branding": ("/erscheinungsbild/", LOGIN, ADMIN_ONLY),
    # Public (the sign-in page shows them); no logo and the default colour: nothing to serve.
    "portal:brand-logo": ("/marke/logo-0123456789abcdef.png", 404, dict.fromkeys(CAST, 404)),
    "portal:brand-theme": ("/marke/farbe-ff0000.css", 404, dict.fromkeys(CAST, 404)),
    "rollout:roadmap": ("/fahrplan/", LOGIN, EVERYONE),
    "rollout:event-list": ("/termine/", LOGIN, EVERYONE),
    "rollout:event-detail": ("/termine/{event}/", LOGIN, EVERYONE),
    "assistants:index": ("/assistenten/", LOGIN, EVERYONE),
    "assistants:protocol-new": ("/assistenten/protokoll/neu/", LOGIN, EVERYONE),
    "assistants:job-detail": ("/assistenten/auftraege/{job}/", LOGIN, ALICES_OWN),
    "assistants:protocol-detail": ("/assistenten/protokolle/{protocol}/", LOGIN, ALICES_OWN),
    "assistants:model-status": ("/assistenten/modell/", LOGIN, ADMIN_ONLY),
    "assistants:action-items": ("/assistenten/aufgaben/", LOGIN, EVERYONE),
    "assistants:report-new": ("/assistenten/bericht/", LOGIN, ADMIN_ONLY),
    # A draft: its owner may edit; reviewers and admins read it, but only review it later.
    "assistants:item-edit": (
        "/assistenten/protokolle/{protocol}/punkte/decisions/0/bearbeiten/",
        LOGIN,
        {**ALICES_OWN, "rita": 403, "ada": 403},
    ),
    # Nothing approved yet: there is nothing to export, for anyone.
    "assistants:protocol-export": (
        "/assistenten/protokolle/{protocol}/export.pdf",
        LOGIN,
        dict.fromkeys(CAST, 404),
    ),
    "admin:index": ("/admin/", LOGIN, ADMIN_ONLY),
    "healthz-live": ("/healthz/live", 200, EVERYONE),
    # allauth's pages that the shell links to
    "account_login": ("/accounts/login/", 200, dict.fromkeys(CAST, 200)),
    "account_email": ("/accounts/email/", LOGIN, EVERYONE),
    "mfa_index": ("/accounts/2fa/", LOGIN, EVERYONE),
    "account_logout": ("/accounts/logout/", 200, EVERYONE),
}
# Views answering POST only, and views whose status depends on the stack, are tested apart.
# POST-only steps; their access is tested in tests/assistants/test_review.py.
SEPARATELY_TESTED = {
    "portal:language-set",
    "portal:inbox-digest",  # tests/portal/test_inbox.py
    "healthz",
    "assistants:job-cancel",
    "assistants:protocol-step",
    "assistants:item-decide",
    "assistants:action-item-done",
    "rollout:event-register",  # tests/rollout/test_events.py
    "rollout:event-cancel",
}
# Areas keep their rows in their own module: MATRIX, SEPARATELY_TESTED and extra_ids().
AREAS = [
    import_module(f"tests.rollout.access_{area}")
    for area in (
        "events",
        "people",
        "programme",
        "usecases",
        "search",
        "faq",
        "officehours",
        "surveys",
    )
] + [import_module("tests.newsletter.access"), import_module("tests.assistants.access")]
for _area in AREAS:
    assert not set(_area.MATRIX) & set(MATRIX), f"{_area.__name__} repeats a row"
    MATRIX.update(_area.MATRIX)
    SEPARATELY_TESTED |= _area.SEPARATELY_TESTED
OWN_NAMESPACES = {"portal", "rollout", "assistants", "newsletter"}
OWN_UNNAMESPACED = {"healthz", "healthz-live"}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            names |= _url_names(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_matrix_covers_every_view() -> None:
    ours = {
        name
        for name in _url_names(get_resolver())
        if name in OWN_UNNAMESPACED or name.split(":")[0] in OWN_NAMESPACES
    }
    missing = ours - set(MATRIX) - SEPARATELY_TESTED
    assert not missing, f"views without an access test: {sorted(missing)}"


@pytest.fixture
def ids(alice, cast) -> dict[str, int]:
    from datetime import timedelta

    from django.utils import timezone

    from rollout.models import Event
    from tests.factories import protocol_for

    job, protocol = protocol_for(alice)
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        kind=Event.Kind.TRAINING,
        title="Prompting",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=10,
    )
    found = {"alice": alice.pk, "job": job.pk, "protocol": protocol.pk, "event": event.pk}
    for area in AREAS:
        found.update(area.extra_ids(cast, found))
    return found


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous(client, ids, name: str) -> None:
    path, expected, _ = MATRIX[name]
    response = client.get(path.format(**ids), follow=True)
    if expected == LOGIN:
        assert response.redirect_chain, f"{path} answered without asking for a login"
        assert response.request["PATH_INFO"] == "/accounts/login/"
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_cast(client, cast, ids, name: str) -> None:
    path, _, per_member = MATRIX[name]
    for member, expected in per_member.items():
        client.force_login(cast[member])
        response = client.get(path.format(**ids), follow=True)
        assert response.status_code == expected, f"{member} on {path}"
        assert response.request["PATH_INFO"] != "/accounts/login/", f"{member} sent to login"


def test_roles_page_of_unknown_person_is_404(client, ada) -> None:
    client.force_login(ada)
    assert client.get("/personen/999999/rollen/").status_code == 404


def test_only_the_owner_cancels_a_job(client, cast, ids) -> None:
    for member in ("bob", "rita", "ada", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.post(f"/assistenten/auftraege/{ids['job']}/abbrechen/").status_code == 404
    client.force_login(cast["alice"])
    assert client.get(f"/assistenten/auftraege/{ids['job']}/abbrechen/").status_code == 405
    assert client.post(f"/assistenten/auftraege/{ids['job']}/abbrechen/").status_code == 302


def test_language_switch_needs_post(client) -> None:
    assert client.get("/sprache/").status_code == 405


def test_favicon_redirects_to_the_static_icon(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
