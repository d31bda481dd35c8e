"""The mail of one issue: multipart, inlined CSS, safe Markdown, unsubscribe headers."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from newsletter.models import Issue
from newsletter.services.message import STYLES, build_message, message_id

pytestmark = pytest.mark.django_db

BODY = """# Neues aus dem Programm

Die **Sprechstunde** findet jetzt donnerstags statt: [Termine](https://portal.firma.test/termine/?a=1&b=2).

> Ein Zitat aus dem Pilotteam.

- Punkt eins
- Punkt zwei

| Phase | Stand |
|-------|-------|
| Pilot | 80 % |

<script>alert(1)</script> <img src="https://portal.firma.test/pixel.gif">
![Bild](https://portal.firma.test/logo.png)
"""
UNSUBSCRIBE = "https://portal.firma.test/newsletter/abmelden/abc:def/"
PREFERENCES = "https://portal.firma.test/newsletter/einstellungen/"


def _issue(**fields) -> Issue:
    defaults = {"subject_de": "Newsletter März", "body_de": BODY}
    return Issue.objects.create(**(defaults | fields))


def _build(issue: Issue, language: str = "de", to: str = "alice@firma.test"):
    return build_message(
        issue,
        email=to,
        language=language,
        unsubscribe_url=UNSUBSCRIBE,
        preferences_url=PREFERENCES,
    )


def _parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_multipart_with_inlined_styles_and_safe_markdown() -> None:
    parsed = _parsed(_build(_issue()))
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Newsletter März" in text and "Punkt eins" in text and UNSUBSCRIBE in text
    assert PREFERENCES in text
    # Every tag we style carries its style attribute; nothing relies on a <style> block.
    for tag in ("h1", "h2", "p", "a", "ul", "li", "blockquote", "table"):
        opening = re.findall(rf"<{tag}(?=[\s>])[^>]*>", html)
        assert opening, tag
        assert all('style="' in found for found in opening), (tag, opening)
    assert f'<h2 style="{STYLES["h2"]}">Neues aus dem Programm</h2>' in html
    assert "<style" not in html and "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html  # no pixel, no remote images
    # Links go out as written: no redirector, no tracking parameters.
    assert re.findall(r'href="([^"]+)"', html) == [
        "https://portal.firma.test/termine/?a=1&amp;b=2",
        PREFERENCES,
        UNSUBSCRIBE,
    ]


def test_headers_one_click_unsubscribe_and_stable_message_id(settings) -> None:
    settings.SITE_URL = "https://portal.firma.test"
    issue = _issue()
    parsed = _parsed(_build(issue))
    assert parsed["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == "Newsletter <newsletter.portal.firma.test>"
    assert parsed["To"] == "alice@firma.test"
    assert parsed["Subject"] == "Newsletter März"
    # From issue id 100 on the header is folded (legal, the id itself is unchanged): strip.
    first = parsed["Message-ID"].strip()
    again = _parsed(_build(issue))["Message-ID"].strip()
    assert first == again == message_id(issue, "alice@firma.test")
    assert first.endswith("@portal.firma.test>")
    assert "alice" not in first  # the address does not leak into the id
    assert _parsed(_build(issue, to="bob@firma.test"))["Message-ID"].strip() != first


def test_english_when_written_else_german_with_english_footer() -> None:
    both = _issue(subject_en="March newsletter", body_en="## Hello\n\nNews.")
    english = _parsed(_build(both, "en"))
    assert english["Subject"] == "March newsletter"
    html = english.get_body(("html",)).get_content()
    assert '<html lang="en">' in html and "Hello" in html and "Unsubscribe" in html
    german = _parsed(_build(both, "de"))
    assert german["Subject"] == "Newsletter März"
    only_german = _parsed(_build(_issue(), "en"))
    assert only_german["Subject"] == "Newsletter März"
    fallback = only_german.get_body(("html",)).get_content()
    assert '<html lang="de">' in fallback and "Punkt eins" in fallback


def test_template_fills_in_the_recipient_like_a_built_message() -> None:
    from newsletter.services.message import Template

    issue = _issue(subject_en="March", body_en="## Hello\n\n[Link](https://example.com/x)")
    pattern = "https://portal.firma.test/newsletter/abmelden/{token}/"
    for language in ("de", "en"):
        template = Template(issue, language, unsubscribe_url=pattern, preferences_url=PREFERENCES)
        raw = template.render(email="bob@firma.test", token="MQ:abc-_12")
        assert raw is not None
        fast = email.message_from_bytes(raw, policy=email.policy.default)
        built = _parsed(
            build_message(
                issue,
                email="bob@firma.test",
                language=language,
                unsubscribe_url=pattern.format(token="MQ:abc-_12"),
                preferences_url=PREFERENCES,
            )
        )
        for header in ("To", "Subject", "Message-ID", "List-Unsubscribe", "List-Id", "From"):
            assert fast[header].strip() == built[header].strip(), header  # folding may differ
        for kind in ("plain", "html"):
            content = fast.get_body((kind,)).get_content().replace("\r\n", "\n")  # SMTP line ends
            assert content == built.get_body((kind,)).get_content()
    # A body that quotes a marker, or an address that is not ASCII: the caller builds it.
    quoting = _issue(body_de="NEWSLETTERTOKEN5e1f0c")
    template = Template(quoting, "de", unsubscribe_url=pattern, preferences_url=PREFERENCES)
    assert template.render(email="bob@firma.test", token="t") is None
    ok = Template(issue, "de", unsubscribe_url=pattern, preferences_url=PREFERENCES)
    assert ok.render(email="jürgen@firma.test", token="t") is None
