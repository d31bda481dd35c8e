"""One newsletter mail: plain text + HTML with inlined CSS, one-click unsubscribe headers.

The Markdown is parsed with raw HTML off and cleaned with nh3, like the assistants' output:
an issue is written in the browser, so it is treated as untrusted. Mail clients ignore or
strip <style> blocks, so every tag we emit gets its `style` attribute written here (the
cleaner has removed any the text brought). No images, no tracking pixel, no link rewriting:
links go out exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from assistants.rendering import plain
from newsletter.models import Issue
from portal import branding

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_CLEANER = nh3.Cleaner(
    tags={"p", "br", "strong", "em", "ul", "ol", "li", "code", "pre", "blockquote", "hr"}
    | {"h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "*": set()},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",  # a relative link means nothing in a mailbox
    link_rel="noopener noreferrer",
    strip_comments=True,
)
_FONT = "font-family:Arial,Helvetica,sans-serif;"
STYLES = {
    "h1": _FONT + "font-size:24px;line-height:1.3;color:#12355b;margin:0 0 16px;",
    "h2": _FONT + "font-size:20px;line-height:1.3;color:#12355b;margin:24px 0 8px;",
    "h3": _FONT + "font-size:17px;line-height:1.3;color:#12355b;margin:20px 0 8px;",
    "h4": _FONT + "font-size:15px;color:#12355b;margin:16px 0 8px;",
    "p": _FONT + "font-size:15px;line-height:1.5;color:#1f2933;margin:0 0 12px;",
    "a": "color:#0b5cad;text-decoration:underline;",
    "ul": _FONT + "font-size:15px;line-height:1.5;color:#1f2933;margin:0 0 12px;padding-left:24px;",
    "ol": _FONT + "font-size:15px;line-height:1.5;color:#1f2933;margin:0 0 12px;padding-left:24px;",
    "li": "margin:0 0 4px;",
    "blockquote": "margin:0 0 12px;padding:4px 12px;border-left:4px solid #c5d3e3;color:#3e4c59;",
    "table": _FONT + "font-size:14px;border-collapse:collapse;margin:0 0 12px;",
    "th": "border:1px solid #c5d3e3;padding:4px 8px;text-align:left;background:#eef2f7;",
    "td": "border:1px solid #c5d3e3;padding:4px 8px;",
    "code": "font-family:Consolas,monospace;font-size:13px;background:#eef2f7;",
    "pre": "font-family:Consolas,monospace;font-size:13px;background:#eef2f7;padding:8px;",
    "hr": "border:0;border-top:1px solid #d9e2ec;margin:24px 0;",
}
# Opening tags only; nh3's output has no "<" inside attribute values, so this is exact.
_OPENING = re.compile(r"<(" + "|".join(STYLES) + r")(?=[\s>/])(?!\s+style=)")
_BODY = "margin:0;padding:0;background:#f4f5f7;"
_FRAME = "max-width:640px;margin:0 auto;padding:24px;background:#ffffff;"
_FOOTER = _FONT + "font-size:12px;line-height:1.5;color:#616e7c;margin:0 0 8px;"


@dataclass(frozen=True)
class Content:
    language: str  # the language the issue is shown in ("en" falls back to "de")
    subject: str
    text: str
    html: str


def inline_styles(html: str) -> str:
    """Give each tag of STYLES its style attribute, unless it was written with one."""
    return _OPENING.sub(lambda m: f'<{m[1]} style="{STYLES[m[1]]}"', html)


def render_html(markdown: str) -> str:
    tokens = _MARKDOWN.parse(plain(markdown))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"  # h1 is the subject
    return _CLEANER.clean(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


@lru_cache(maxsize=32)
def _content(issue_id: int, language: str, fields: tuple) -> Content:
    subject_de, body_de, subject_en, body_en = fields
    english = language == "en" and bool(body_en.strip())
    subject = (subject_en or subject_de) if english else subject_de
    body = body_en if english else body_de
    return Content(
        language="en" if english else "de",
        subject=plain(subject).replace("\n", " ").strip(),
        text=plain(body).strip(),
        html=render_html(body),
    )


def content(issue: Issue, language: str) -> Content:
    """Return the rendered issue in `language`; cached, so a batch renders it once."""
    fields = (issue.subject_de, issue.body_de, issue.subject_en, issue.body_en)
    return _content(issue.pk, language, fields)


def mail_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(issue: Issue, email: str) -> str:
    """The same Message-ID for every attempt at (issue, email): a resend is recognisable."""
    digest = salted_hmac("newsletter.message-id", f"{issue.pk}:{email.lower()}").hexdigest()
    return f"<newsletter.{issue.pk}.{digest[:32]}@{mail_host()}>"


def _masthead(look: branding.Look, sender: str) -> str:
    """The company's bar above the issue: its colour, its logo (from this portal), its name."""
    logo = ""
    if look.logo_url:
        logo = (
            f'<img src="{escape(settings.SITE_URL + look.logo_url)}"'
            f' alt="{escape(look.company_name)}"'
            ' height="36" style="height:36px;width:auto;background:#ffffff;padding:3px 6px;'
            'border-radius:4px;vertical-align:middle;margin-right:10px;">'
        )
    return (
        f'<div style="{_FONT}background:{escape(look.accent)};color:#ffffff;padding:12px 16px;'
        f'margin:-24px -24px 24px;font-size:16px;font-weight:bold;">{logo}{escape(sender)}</div>'
    )


def build_message(
    issue: Issue, *, email: str, language: str, unsubscribe_url: str, preferences_url: str
) -> EmailMultiAlternatives:
    """Return the mail of `issue` for one recipient (`language`: their preferred one)."""
    shown = content(issue, language)
    with translation.override(language if language in ("de", "en") else "de"):
        why = _("You receive this newsletter as a member of the AI programme portal.")
        settings_label = _("Newsletter settings")
        unsubscribe_label = _("Unsubscribe")
        portal_name = _("AI portal")
        text_footer = "\n".join(
            [
                why,
                _("Newsletter settings: %(url)s") % {"url": preferences_url},
                _("Unsubscribe with one click: %(url)s") % {"url": unsubscribe_url},
            ]
        )
    look = branding.current()
    sender = f"{look.company_name} · {portal_name}" if look.company_name else portal_name
    text = (
        f"{sender}\n\n{shown.subject}\n{'=' * min(len(shown.subject), 72)}\n\n{shown.text}\n\n-- \n"
    )
    html = inline_styles(
        f'<!DOCTYPE html><html lang="{shown.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(shown.subject)}</title></head>"
        f'<body style="{_BODY}"><div style="{_FRAME}">'
        f"{_masthead(look, sender)}"
        f"<h1>{escape(shown.subject)}</h1>{shown.html}<hr>"
        f'<p style="{_FOOTER}">{escape(why)}</p>'
        f'<p style="{_FOOTER}"><a href="{escape(preferences_url)}">{escape(settings_label)}</a>'
        f' · <a href="{escape(unsubscribe_url)}">{escape(unsubscribe_label)}</a></p>'
        "</div></body></html>"
    )
    message = EmailMultiAlternatives(
        subject=shown.subject,
        body=text + text_footer + "\n",
        to=[email],
        headers={
            "Message-ID": message_id(issue, email),
            "List-Id": f"Newsletter <newsletter.{mail_host()}>",
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# Markers for what differs per recipient; nothing else in a batch's mails does.
_TO = "newsletter-recipient-5e1f0c@marker.invalid"
_MESSAGE_ID = "<newsletter-message-id-5e1f0c@marker.invalid>"
_TOKEN = "NEWSLETTERTOKEN5e1f0c"  # noqa: S105 - a marker, not a secret


class Template:
    """The issue's mail in one language, serialised once, with markers for the recipient.

    Serialising a MIME message costs more than sending it; a batch builds one template per
    language and fills in address, Message-ID and unsubscribe token as bytes. When a marker
    is not found exactly where expected (a part had to be quoted-printable, the text quotes
    a marker, an address is not ASCII), `render` returns None and the caller builds the
    message the ordinary way.
    """

    def __init__(
        self, issue: Issue, language: str, *, unsubscribe_url: str, preferences_url: str
    ) -> None:
        """`unsubscribe_url`: the link with "{token}" where the recipient's token goes."""
        self.issue = issue
        message = build_message(
            issue,
            email=_TO,
            language=language,
            unsubscribe_url=unsubscribe_url.replace("{token}", _TOKEN),
            preferences_url=preferences_url,
        )
        message.extra_headers["Message-ID"] = _MESSAGE_ID
        encoding = message.encoding or settings.DEFAULT_CHARSET
        self.sender = sanitize_address(message.from_email, encoding)
        raw = message.message().as_bytes(linesep="\r\n")
        exact = raw.count(_TO.encode()) == 1 and raw.count(_MESSAGE_ID.encode()) == 1
        self.raw = raw if exact and raw.count(_TOKEN.encode()) == 3 else None

    def render(self, *, email: str, token: str) -> bytes | None:
        """Return the mail for `email` as bytes, or None if this template cannot make it."""
        if self.raw is None or not email.isascii() or not token.isascii():
            return None
        return (
            self.raw.replace(_TO.encode(), email.encode())
            .replace(_MESSAGE_ID.encode(), message_id(self.issue, email).encode())
            .replace(_TOKEN.encode(), token.encode())
        )
