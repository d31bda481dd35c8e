"""People's names: normalised; mixed alphabets and look-alikes of other names refused or flagged."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.models import User
from portal.names import flagged_names, look_alike, mixes_scripts, normalise_name, skeleton
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Sicheres-Passwort-42"
# "Ada Neumann" with a Cyrillic А and е: the audit's example
LOOK_ALIKE = "\u0410da N\u0435umann"


@pytest.fixture(autouse=True)
def _setup(settings):
    cache.clear()  # rate-limit counters live in the real Redis cache
    settings.SIGNUP_DOMAINS = ["firma.test"]


def _signup(client, name: str, email: str):
    data = {"name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", data)  # in German, the portal's first language


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Ada   Neumann ", "Ada Neumann"),
        ("Ada\u200b Neu\u200dmann", "Ada Neumann"),  # zero-width characters
        ("\u202eAda Neumann\u202c", "Ada Neumann"),  # right-to-left override
        ("Ａｄａ Ｎｅｕｍａｎｎ", "Ada Neumann"),  # full-width letters (NFKC)
        ("Ada\tNeumann\n", "Ada Neumann"),
    ],
)
def test_names_are_normalised(raw, normal) -> None:
    assert normalise_name(raw) == normal


def test_look_alikes_and_mixed_alphabets_are_found() -> None:
    assert skeleton(LOOK_ALIKE) == skeleton("Ada Neumann")
    assert mixes_scripts(LOOK_ALIKE)
    assert look_alike(LOOK_ALIKE, ["Bob Wagner", "Ada Neumann"]) == "Ada Neumann"
    assert look_alike("\u0391da Neumann", ["Ada Neumann"]) == "Ada Neumann"  # Greek Alpha
    for fine in ("Анна Иванова", "Zoë O'Neil-Smith", "Jürgen Groß", "Αλέξης Παππάς"):
        assert not mixes_scripts(fine), fine
    assert look_alike("Ada Neumann", ["Ada Neumann"]) is None  # a namesake is not a look-alike
    assert look_alike("ADA NEUMANN", ["Ada Neumann"]) is None
    assert look_alike("Anna Muller", ["Anna Müller"]) is None  # a different name
    assert flagged_names([LOOK_ALIKE, "Ada Neumann", "Bob", "Bob"]) == {
        LOOK_ALIKE: ["mixed_scripts", "looks_like"],
        "Ada Neumann": ["looks_like"],
    }


def test_signup_refuses_a_look_alike_and_keeps_a_real_name(client, ada) -> None:
    response = _signup(client, LOOK_ALIKE, "mallory@firma.test")
    assert response.status_code == 200
    assert "Der Name mischt innerhalb eines Wortes Alphabete" in response.content.decode()
    assert not User.objects.filter(email="mallory@firma.test").exists()
    # one alphabet per word, but the look of another person's name: all Cyrillic capitals
    UserFactory(email="tom@firma.test", name="Tom Cox")
    response = _signup(client, "\u0422\u041e\u041c \u0421\u041e\u0425", "m2@firma.test")
    assert response.status_code == 200
    assert "sieht aus wie der einer anderen Person" in response.content.decode()
    assert not User.objects.filter(email="m2@firma.test").exists()
    assert _signup(client, "Анна Иванова", "anna@firma.test").status_code == 302
    assert _signup(client, "  Ada\u200b  Neumann ", "ada2@firma.test").status_code == 302
    assert User.objects.get(email="ada2@firma.test").name == "Ada Neumann"  # a namesake


def test_the_admin_form_refuses_look_alikes(client, ada, settings) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import TOTP_SECRET

    root = User.objects.create_superuser("root@firma.test", "Test-Passwort-123", name="Root")
    TOTP.activate(root, TOTP_SECRET)
    client.force_login(root)
    target = UserFactory(email="ziel@firma.test", name="Ziel Person")
    url = reverse("admin:portal_user_change", args=[target.pk])
    data = {
        "email": target.email,
        "name": LOOK_ALIKE,
        "preferred_language": "de",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "name" in response.context["adminform"].form.errors
    assert User.objects.get(pk=target.pk).name == "Ziel Person"
    data["name"] = "Ziel\u200b Person "
    assert client.post(url, data).status_code == 302
    assert User.objects.get(pk=target.pk).name == "Ziel Person"
    # an account flagged before (single sign-on) can still be changed, e.g. deactivated
    flagged = UserFactory(email="sso@firma.test", name=LOOK_ALIKE)
    url = reverse("admin:portal_user_change", args=[flagged.pk])
    data = {"email": flagged.email, "name": LOOK_ALIKE, "preferred_language": "de"}
    assert client.post(url, data).status_code == 302
    assert not User.objects.get(pk=flagged.pk).is_active


def test_people_page_flags_existing_look_alikes(client, ada) -> None:
    UserFactory(email="mallory@firma.test", name=LOOK_ALIKE)  # e.g. from before this check
    client.force_login(ada)
    User.objects.filter(pk=ada.pk).update(preferred_language="de")
    page = client.get("/personen/").content.decode()
    assert page.count("ähnelt einem anderen Namen") == 2  # both, so the admin sees the pair
    assert page.count("mischt Alphabete") == 1
