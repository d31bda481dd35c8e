"""Model output renders as sanitised markdown; nothing in it can run (no database)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from assistants import rendering
from assistants.rendering import plain, render_markdown

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "code", "pre", "blockquote"} | {
    "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "<svg onload=alert(1)>",
    '<a hx-get="/x" hx-trigger="load">klick</a>',
    '<div hx-on:click="alert(1)">x</div>',
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<javascript:alert(1)>",
    "&#106;avascript:alert(1)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    '[x](https://example.org "onmouseover=alert(1)")',
    '[x](/admin/ "intern")',
    "![tracking pixel](https://evil.example/p.gif)",
    '<a href="javascript:alert(1)" style="color:red" class="btn">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "```html\n<script>alert(1)</script>\n```",
    "- <b onclick=alert(1)>fett</b>\n- **fett**",
]


class _Markup(HTMLParser):
    """Collect the tags and attributes of rendered HTML: the part a browser would act on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def _markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def _assert_inert(html: str) -> None:
    markup = _markup(html)
    assert "<script" not in html.lower()
    assert set(markup.tags) <= ALLOWED_TAGS
    for name, value in markup.attributes:
        assert (name, value) == ("rel", "noopener noreferrer nofollow") or name == "href"
        assert not name.startswith(("on", "hx-")), name
        assert "javascript:" not in value.lower()
        assert "data:" not in value.lower()
    hrefs = [value for name, value in markup.attributes if name == "href"]
    assert all(href.startswith(("https://", "http://", "mailto:")) for href in hrefs)
    assert markup.tags.count("a") == [name for name, _ in markup.attributes].count("rel")


@pytest.mark.parametrize("text", XSS)
def test_nothing_in_the_xss_corpus_survives_as_markup(text: str) -> None:
    _assert_inert(render_markdown(text))


def test_raw_html_is_shown_as_text_not_run() -> None:
    html = render_markdown('<a hx-get="/x" hx-trigger="load">klick</a>')

    assert html.startswith("<p>&lt;a hx-get=")
    assert _markup(html).tags == ["p"]


def test_the_sanitiser_alone_would_stop_raw_html() -> None:
    # Markdown runs with HTML off; this is the second wall, should that ever change.
    html = rendering._CLEANER.clean(
        '<a href="javascript:alert(1)" onclick="x" hx-get="/x" class="c" style="s">a</a>'
        '<a href="JAVAscript:alert(1)">b</a><img src=x onerror=alert(1)><svg onload=alert(1)>'
        '<script>alert(1)</script><div hx-on:click="alert(1)">c</div><a href="data:text/html,x">d'
    )

    _assert_inert(html)
    assert "alert" not in html


def test_normal_markdown_still_renders() -> None:
    text = (
        "# Ergebnis\n\nDas ist **wichtig** und *betont*.\n\n"
        "- erster Punkt\n- zweiter Punkt\n\n1. eins\n2. zwei\n\n"
        "> Zitat\n\n`code` und [Handbuch](https://intranet.example/handbuch?a=1&b=2).\n\n"
        "| Wer | Was |\n|-----|-----|\n| Bob | Entwurf |\n\n<mailto:team@firma.test>"
    )

    html = render_markdown(text)

    assert isinstance(html, SafeString)
    assert "<h3>Ergebnis</h3>" in html  # the page owns h1 and h2
    assert "<strong>wichtig</strong>" in html and "<em>betont</em>" in html
    assert "<ul>\n<li>erster Punkt</li>" in html and "<ol>\n<li>eins</li>" in html
    assert "<blockquote>" in html and "<code>code</code>" in html
    assert (
        '<a href="https://intranet.example/handbuch?a=1&amp;b=2" '
        'rel="noopener noreferrer nofollow">Handbuch</a>'
    ) in html
    assert "<td>Bob</td>" in html
    assert 'href="mailto:team@firma.test"' in html
    _assert_inert(html)


def test_umlauts_and_emoji_pass_and_control_characters_go() -> None:
    html = render_markdown("Grüße\x00 aus Köln 👩\u200d💻\u202e")

    assert html == "<p>Grüße aus Köln 👩\u200d💻</p>\n"


def test_plain_removes_control_and_invisible_characters() -> None:
    text = "Zeile\x00 eins\r\nZeile\u202e zwei\tTab\u2028\x1b[31mRot\u200b 👩\u200d💻 \ud800"

    assert plain(text) == "Zeile eins\nZeile zwei\tTab\n[31mRot 👩\u200d💻 "


def test_template_filters_render_safely() -> None:
    template = Template("{% load assistant_tags %}{{ text|markdown }}|{{ text|plain }}")

    html = template.render(Context({"text": "**fett** <b>\x07"}))

    assert html == "<p><strong>fett</strong> &lt;b&gt;</p>\n|**fett** &lt;b&gt;"
    assert Template("{% load assistant_tags %}{{ none|markdown }}").render(Context({})) == ""
