"""Render model output for the browser: it is untrusted text, so it is sanitised every time.

Markdown is parsed with raw HTML off (a `<script>` in the text is shown, not run), then the
HTML is cleaned with nh3 against a short allow-list: no images (they would fetch from
elsewhere), no `style`, `class`, `on*` or htmx attributes, links only to http, https and
mailto, with `rel="noopener noreferrer nofollow"`.
"""

from __future__ import annotations

import re
import unicodedata

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_CLEANER = nh3.Cleaner(
    tags={"p", "br", "strong", "em", "ul", "ol", "li", "code", "pre", "blockquote"}
    | {"h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "*": set()},  # "*" replaces the default lang and title
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",  # a link into the portal itself is no business of the model
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029]")
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co"}  # control, format, surrogate, private use
_JOINERS = {"\u200c", "\u200d"}  # format characters that emoji and some scripts need


def plain(text: str) -> str:
    """Return `text` without control or invisible format characters; newlines and tabs stay.

    Bidi overrides, zero-width and tag characters go too: they can hide or reorder what a
    reviewer reads. Unpaired surrogates go because they cannot be stored or encoded.
    """
    return "".join(
        char
        for char in _NEWLINES.sub("\n", text)
        if char in "\n\t"
        or char in _JOINERS
        or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )


def render_markdown(text: str) -> SafeString:
    """Return `text` rendered from markdown to sanitised HTML, safe to put into a template."""
    tokens = _MARKDOWN.parse(plain(text))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            # The page owns h1 and h2; the model's headings start below them.
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return mark_safe(_CLEANER.clean(html))  # noqa: S308 - nh3 has just sanitised it
