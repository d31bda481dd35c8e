"""The company's look: set by a programme admin, shown on pages, the sign-in page and mails."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from portal import branding
from portal.models import AuditEntry, Branding

URL = "/erscheinungsbild/"


def _image(fmt: str = "PNG", size: tuple[int, int] = (600, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


def _post(client, *, name="Hallberg Maschinenbau GmbH", accent="#0f5132", logo=None, **extra):
    data = {"company_name": name, "accent": accent, **extra}
    if logo is not None:
        data["logo"] = logo
    return client.post(URL, data)


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


def test_the_admin_sets_name_colour_and_logo_and_every_page_shows_them(admin_client, alice):
    logo = SimpleUploadedFile("logo.png", _image(), content_type="image/png")

    response = _post(admin_client, logo=logo)

    assert response.status_code == 302
    look = branding.current()
    assert look.company_name == "Hallberg Maschinenbau GmbH" and look.accent == "#0f5132"
    admin_client.force_login(alice)
    page = admin_client.get("/").content.decode()
    assert (
        f'<img class="brand-logo" src="{look.logo_url}" alt="Hallberg Maschinenbau GmbH">' in page
    )
    assert f'<link rel="stylesheet" href="{look.theme_url}">' in page
    assert "· KI-Portal · Hallberg Maschinenbau GmbH</title>" in page

    served = admin_client.get(look.logo_url)
    assert served["Content-Type"] == "image/png"
    assert "immutable" in served["Cache-Control"]
    with Image.open(io.BytesIO(served.content)) as stored:
        assert stored.format == "PNG" and stored.size == (480, 160)  # fitted into its box
    css = admin_client.get(look.theme_url)
    assert css.content.decode() == ":root { --brand: #0f5132; }\n"


def test_the_sign_in_page_shows_the_logo_to_visitors(admin_client, client):
    _post(admin_client, logo=SimpleUploadedFile("l.png", _image(), content_type="image/png"))
    admin_client.logout()

    page = client.get("/accounts/login/").content.decode()

    assert 'class="brand-logo"' in page and "Hallberg Maschinenbau GmbH" in page
    assert client.get(branding.current().logo_url).status_code == 200


def test_pages_read_the_branding_without_a_query(admin_client):
    _post(admin_client)
    branding.current()  # what the next request would find in the cache

    with CaptureQueriesContext(connection) as queries:
        admin_client.get("/datenschutz/")

    assert not [q for q in queries.captured_queries if "portal_branding" in q["sql"]]


def test_a_colour_too_light_for_white_text_is_refused_with_its_contrast(admin_client):
    response = _post(admin_client, accent="#ffd700")

    assert response.status_code == 200
    assert re.search(r"zu hell: weiße Schrift darauf hat einen Kontrast von 1,\d:1", response.text)
    assert not Branding.objects.exists() and branding.current() == branding.Look()


@pytest.mark.parametrize("accent", ["blue", "#12345", "#12345g", "#1d4e89;}body{x", ""])
def test_a_colour_that_is_no_colour_is_refused(admin_client, accent):
    response = _post(admin_client, accent=accent)

    assert response.status_code == 200
    assert re.search(r'<ul class="errorlist" id="id_accent_error">\s*<li>\S', response.text)
    assert not Branding.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.png", b"not an image at all", "keine Bilddatei, die wir lesen können"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "keine Bilddatei, die wir lesen können",
        ),
        ("logo.tif", _image("TIFF"), "als PNG, JPEG, WebP oder GIF"),
        ("huge.png", b"", "zu viele Bildpunkte"),  # filled in below: 6000 × 5000 px
        ("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024), "höchstens 2 MB"),
    ],
)
def test_a_bad_logo_is_refused_and_nothing_is_stored(admin_client, name, data, message):
    if name == "huge.png":
        out = io.BytesIO()
        Image.new("1", (6000, 5000)).save(out, format="PNG")  # compresses to a few KB
        data = out.getvalue()

    response = _post(admin_client, logo=SimpleUploadedFile(name, data))

    assert response.status_code == 200
    assert message in response.text
    assert not Branding.objects.exists()


def test_the_stored_logo_carries_no_metadata_of_the_upload(admin_client):
    exif = Image.Exif()
    exif[0x010E] = "Entwurf Marketing, vertraulich"  # ImageDescription
    _post(admin_client, logo=SimpleUploadedFile("l.jpg", _image("JPEG", exif=exif.tobytes())))

    stored = branding.logo_bytes()

    assert stored is not None and b"vertraulich" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()


def test_removing_the_logo_and_an_old_logo_address(admin_client):
    _post(admin_client, logo=SimpleUploadedFile("l.png", _image(), content_type="image/png"))
    old_url = branding.current().logo_url

    _post(admin_client, remove_logo="on")

    assert branding.current().logo_url == "" and branding.logo_bytes() is None
    assert admin_client.get(old_url).status_code == 404
    assert 'class="brand-logo"' not in admin_client.get("/").content.decode()


def test_the_change_is_audited_by_field_names_only(admin_client, ada):
    _post(admin_client, logo=SimpleUploadedFile("l.png", _image(), content_type="image/png"))
    _post(admin_client, name="Hallberg GmbH")

    entries = AuditEntry.objects.filter(action="branding.changed").order_by("pk")
    assert [e.details["fields"] for e in entries] == [
        ["company_name", "accent", "logo"],
        ["company_name"],
    ]
    assert all(e.actor == ada for e in entries)
    assert "Hallberg" not in str([e.details for e in entries])


def test_the_company_name_is_cleaned(admin_client):
    _post(admin_client, name="  Hallberg\u200b  Maschinenbau\u202e GmbH ")

    assert branding.current().company_name == "Hallberg Maschinenbau GmbH"


def test_mails_are_signed_with_the_company(admin_client, settings):
    from portal.models import Invitation
    from portal.tasks import invitation_send

    settings.SIGNUP_DOMAINS = []
    _post(admin_client, name="Hallberg & Söhne GmbH")
    admin_client.post("/einladungen/", {"email": "extern@berater.example", "role": "employee"})

    invitation_send(Invitation.objects.get().pk)

    body = mail.outbox[-1].body
    assert "\n-- \nKI-Portal · Hallberg & Söhne GmbH\nhttp" in body
    assert "&amp;" not in body


def test_the_newsletter_carries_the_company_bar(admin_client):
    from newsletter.models import Issue
    from newsletter.services.message import build_message

    _post(admin_client, logo=SimpleUploadedFile("l.png", _image(), content_type="image/png"))
    look = branding.current()

    message = build_message(
        Issue.objects.create(subject_de="Newsletter März", body_de="Hallo **alle**."),
        email="a@hallberg.example",
        language="de",
        unsubscribe_url="https://ki.example/u",
        preferences_url="https://ki.example/p",
    )

    html = message.alternatives[0][0]
    assert "background:#0f5132;" in html
    assert re.search(rf'<img src="[^"]*{re.escape(look.logo_url)}"', html)
    assert message.body.startswith("Hallberg Maschinenbau GmbH · KI-Portal\n")


def test_other_people_cannot_change_it(client, alice):
    client.force_login(alice)

    assert _post(client).status_code == 403
    assert not Branding.objects.exists()
    assert cache.get(branding.CACHE_KEY) == {
        "company_name": "",
        "accent": "#1d4e89",
        "logo_sha256": "",
    }
