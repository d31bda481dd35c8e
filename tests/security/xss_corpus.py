"""Cross-site scripting payloads for the portal's free-text fields and its model output.

Every active payload calls `window.__xss("<id>")` or requests `/__xss_canary__/<id>`, so a
browser test can tell that one ran (the id says which), instead of trusting the HTML alone.
The payloads are grouped by technique; `PAYLOADS` is all of them, in group order. A few span
lines (a Markdown HTML block, a reference definition, a table); `ONE_LINE` leaves them out,
for single-line fields.

Used by tests/e2e/test_xss.py (typed into forms, planted in model output, checked in Chromium)
and by the form fuzzing tests.
"""

from __future__ import annotations

CANARY = "/__xss_canary__"
"""Path prefix a payload requests when it gets a browser to fetch (htmx, src, base…)."""


def _call(pid: str) -> str:
    return f'__xss("{pid}")'


SCRIPT_TAGS: list[str] = [
    f"<script>{_call('s1')}</script>",
    f"<SCRIPT>window.{_call('s2')}</SCRIPT>",
    f'<script src="{CANARY}/s3"></script>',
    f"<scr<script>ipt>{_call('s4')}</scr</script>ipt>",
    f"</textarea><script>{_call('s5')}</script>",
    f"</title><script>{_call('s6')}</script>",
    f"<!--<script>{_call('s7')}</script>-->",
    f'<noscript><p title="</noscript><script>{_call("s8")}</script>">',
]
"""Script elements: plain, upper case, external, split, and ones that first close the
textarea, title or comment they might be rendered inside."""

EVENT_HANDLERS: list[str] = [
    f"<img src=x onerror={_call('e1')}>",
    f"<img src=\"{CANARY}/e2\" onerror='{_call('e2')}'>",
    f"<svg onload={_call('e3')}>",
    f"<body onload={_call('e4')}>",
    f"<details open ontoggle={_call('e5')}>",
    f"<input autofocus onfocus={_call('e6')}>",
    f"<a onmouseover={_call('e7')} href=#>hover e7</a>",
    f'<iframe srcdoc="<script>parent.{_call("e8")}</script>"></iframe>',
    f"<video><source onerror={_call('e9')}></video>",
    f"<marquee onstart={_call('e10')}>e10</marquee>",
]
"""Event-handler attributes on elements that fire them by themselves (load, error, toggle,
focus) or when a person moves the mouse over them."""

LINKS: list[str] = [
    f'<a href="javascript:{_call("l1")}">raw l1</a>',
    f"[md l2](javascript:{_call('l2')})",
    f"[md l3](JaVaScRiPt:{_call('l3')})",
    "[md l4](data:text/html;base64,PHNjcmlwdD5fX3hzcygibDQiKTwvc2NyaXB0Pg==)",
    f"[md l5][l5ref]\n\n[l5ref]: javascript:{_call('l5')}",
    f"<javascript:{_call('l6')}>",
    f"![md l7](javascript:{_call('l7')})",
    f"![md l8]({CANARY}/l8)",
    f'<a href="data:text/html,<script>{_call("l9")}</script>">raw l9</a>',
    f"[md l10](  javascript:{_call('l10')}  )",
    f"[md l11](https://example.org/<p onmouseover={_call('l11')}>)",
    f"[md l12](vbscript:{_call('l12')})",
    "[md l13](/faq/?q=%3Cscript%3E%5F%5Fxss(%22l13%22)%3C/script%3E)",
    "[md l14](/anwendungsfaelle/suche/"
    "?q=%22%3E%3Cimg%20src%3Dx%20onerror%3D%5F%5Fxss(%22l14%22)%3E)",
]
"""`javascript:`, `data:` and `vbscript:` links and images, as raw HTML and as Markdown
(inline, reference, autolink, image); a Markdown URL that carries a tag; and links into the
portal whose query carries a payload (percent-encoded), to be followed: the page they open
must show it as text."""

SVG: list[str] = [
    f"<svg><script>{_call('v1')}</script></svg>",
    f'<svg><a xlink:href="javascript:{_call("v2")}"><text y=20>v2</text></a></svg>',
    f"<svg><animate onbegin={_call('v3')} attributeName=x dur=1s>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={_call('v4')}>",
    f'<object data="{CANARY}/v5.svg"></object>',
    f'<embed src="{CANARY}/v6.svg">',
]
"""SVG and MathML: script inside svg, xlink links, SMIL events, namespace confusion, and
embedded documents."""

HTMX: list[str] = [
    f'<div hx-get="{CANARY}/h1" hx-trigger="load">h1</div>',
    f'<a hx-post="{CANARY}/h2" hx-trigger="load">h2</a>',
    f'<div data-hx-get="{CANARY}/h3" data-hx-trigger="load">h3</div>',
    f'<img src=x hx-get="{CANARY}/h4" hx-trigger="load">',
    f'<div hx-on:htmx:load="{_call("h5")}" hx-get="{CANARY}/h5" hx-trigger="load">h5</div>',
    f'<button hx-on::before-request="{_call("h6")}" hx-get="{CANARY}/h6">h6</button>',
    f'<form hx-post="{CANARY}/h7" hx-trigger="load"></form>',
    f'<div hx-get="{CANARY}/h8" hx-trigger="every 1s" hx-swap="outerHTML">h8</div>',
]
"""htmx attributes: requests triggered on load (plain, `data-` prefixed, on any element),
and `hx-on` handlers (which would need eval, also switched off)."""

ATTRIBUTE_BREAKOUTS: list[str] = [
    f'"><img src=x onerror={_call("a1")}>',
    f"' onmouseover='{_call('a2')}' x='",
    f'" onfocus="{_call("a3")}" autofocus="',
    f'" hx-get="{CANARY}/a4" hx-trigger="load',
    f"</a><a href=javascript:{_call('a5')}>a5</a>",
    f'"><svg onload={_call("a6")}>',
    f"'-{_call('a7')}-'",
    f'\\"-{_call("a8")}//',
    f"</script><script>{_call('a9')}</script>",
]
"""Breaking out of an attribute value or a JavaScript string the text might land in
(double and single quotes, backslash), then adding a handler or an element."""

MARKDOWN: list[str] = [
    f"<div>\n\n<img src=x onerror={_call('m1')}>\n\n</div>",
    f"**<img src=x onerror={_call('m2')}>**",
    f"*_<svg onload={_call('m3')}>_*",
    f"[md m4](&#106;avascript:{_call('m4')})",
    f"[md m5](&#x6A;&#x61;vascript:{_call('m5')})",
    f"[md m6](java&#x09;script:{_call('m6')})",
    f"[md m7](javascript&colon;{_call('m7')})",
    f"`<img src=x onerror={_call('m8')}>`",
    f"> <img src=x onerror={_call('m9')}>",
    f"[![md m10](x)](javascript:{_call('m10')})",
    f'[md m11](https://example.org "title\\" onmouseover=\\"{_call("m11")}")',
    f"- [md m12](javascript:{_call('m12')})",
    f"| a |\n|---|\n| <img src=x onerror={_call('m13')}> |",
]
"""Markdown tricks: HTML blocks, tags inside emphasis, entity-encoded and split schemes,
code spans, quotes, an image inside a link, link titles, lists and tables."""

TEMPLATE_INJECTION: list[str] = [
    "{{ 7*7 }} t1",
    "{% debug %} t2",
    "{{ request.user.password }} t3",
    "{% load static %}{% static 'x' %} t4",
    "${7*7} t5",
    "#{7*7} t6",
    "{{constructor.constructor('__xss(\"t7\")')()}}",
    "%(secret)s %s {0} t8",
]
"""Template syntax of Django, Jinja, JavaScript templates and Python format strings: must
come out as the literal text, never evaluated."""

UNICODE: list[str] = [
    f"\u202e<img src=x onerror={_call('u1')}>\u202c u1 RTL",
    f"<scr\u200bipt>{_call('u2')}</scr\u200bipt>",
    f"java\u200bscript u3 [md u3](java\u200bscript:{_call('u3')})",
    f"\ufeff<svg onload={_call('u4')}>",
    f"\uff1cscript\uff1e{_call('u5')}\uff1c/script\uff1e",
    f"[md u6](\u2028javascript:{_call('u6')})",
    f"<img src=x onerror\u00a0={_call('u7')}>",
]
"""Unicode: right-to-left override, zero-width space and no-break space inside keywords, a
byte-order mark, full-width angle brackets, a line separator in a link."""

PAYLOADS: list[str] = [
    *SCRIPT_TAGS,
    *EVENT_HANDLERS,
    *LINKS,
    *SVG,
    *HTMX,
    *ATTRIBUTE_BREAKOUTS,
    *MARKDOWN,
    *TEMPLATE_INJECTION,
    *UNICODE,
]
"""Every payload, in group order."""

ONE_LINE: list[str] = [payload for payload in PAYLOADS if "\n" not in payload]
"""The payloads without a line break, for single-line fields (titles, subjects)."""


def joined(limit: int, payloads: list[str] | None = None, *, sep: str = "\n") -> str:
    """Return as many whole payloads as fit into `limit` characters, joined by `sep`."""
    text = ""
    for payload in payloads if payloads is not None else PAYLOADS:
        candidate = f"{text}{sep}{payload}" if text else payload
        if len(candidate) > limit:
            continue
        text = candidate
    return text
