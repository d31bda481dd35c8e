"""Highlighted title and excerpt for a page of hits, safe to render.

ts_headline works on the raw text, which may contain HTML a person typed; its output must
not be trusted as markup. So it marks matches with two private-use characters (removed from
the text first, so they cannot come from it), the result is HTML-escaped, and only then are
the sentinels replaced by <mark> and </mark>.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db.models import F, Func, Model, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from rollout.search.sources import SearchSource

START, STOP = "\ue000", "\ue001"
EXCERPT_WORDS = 30

# Markdown marks an excerpt would show raw ("[Datenschutz](/datenschutz/)", "**wichtig**"),
# each (pattern, replacement) valid both in Python's `re` and PostgreSQL's regexp_replace
# (flag g), so the highlighted excerpt (SQL) and the plain one (Python) read alike.
MARKDOWN_TO_PLAIN = (
    (r"!?\[([^]\n]*)\]\([^)\n]*\)", r"\1"),  # links and images: their text
    (r"<(https?://[^>\s]+)>", r"\1"),  # autolinks
    (r"(^|\n)[ \t]*#{1,6}[ \t]+", r"\1"),  # headings
    (r"(^|\n)[ \t]*([-*+>]|[0-9]+[.)])[ \t]+", r"\1"),  # list items, quotes
    (r"\*\*|__|~~|`+", ""),  # strong, strike-through and code marks
    (r"\*([^*\s][^*\n]*)\*", r"\1"),  # emphasis (a lone "3*4" stays)
)


def _without_sentinels(expression: F | Func) -> Func:
    return Func(
        expression,
        Value(START + STOP),
        Value(""),
        function="translate",
        output_field=TextField(),
    )


def plain_markdown(text: str) -> str:
    """Return `text` without the Markdown marks of MARKDOWN_TO_PLAIN."""
    for pattern, replacement in MARKDOWN_TO_PLAIN:
        text = re.sub(pattern, replacement, text)
    return text


def _plain_markdown_sql(expression: F | Func) -> Func:
    for pattern, replacement in MARKDOWN_TO_PLAIN:
        expression = Func(
            expression,
            Value(pattern),
            Value(replacement),
            Value("g"),
            function="regexp_replace",
            output_field=TextField(),
        )
    return expression


def marked(text: str) -> SafeString:
    """Escape ts_headline output, then turn its sentinels into <mark> tags."""
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own tags added


def _excerpt_expression(source: SearchSource) -> F | Func:
    if len(source.excerpt_fields) == 1:
        return F(source.excerpt_fields[0])
    parts: list = []
    for field in source.excerpt_fields:
        parts += [F(field), Value(" ")]
    return Concat(*parts[:-1], output_field=TextField())


def with_headlines(
    source: SearchSource, objects: list[Model], query: SearchQuery | None
) -> dict[int, tuple[SafeString, SafeString]]:
    """Return pk → (title, excerpt) for `objects`, matches of `query` marked (one query)."""
    if not objects:
        return {}
    if query is None:  # nothing to mark: the title and the excerpt's first words, escaped
        return {obj.pk: _plain(source, obj) for obj in objects}
    options = {"config": source.config, "start_sel": START, "stop_sel": STOP}
    rows = (
        source.model._default_manager.filter(pk__in=[obj.pk for obj in objects])
        .annotate(
            _h_title=SearchHeadline(
                _without_sentinels(F(source.title_field)), query, highlight_all=True, **options
            ),
            _h_text=SearchHeadline(
                _plain_markdown_sql(_without_sentinels(_excerpt_expression(source))),
                query,
                max_words=EXCERPT_WORDS,
                min_words=EXCERPT_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
                **options,
            ),
        )
        .values_list("pk", "_h_title", "_h_text")
    )
    return {pk: (marked(title), marked(text)) for pk, title, text in rows}


def _plain(source: SearchSource, obj: Model) -> tuple[SafeString, SafeString]:
    text = " ".join(str(getattr(obj, f) or "") for f in source.excerpt_fields)
    text = plain_markdown(text.replace(START, "").replace(STOP, ""))
    excerpt = Truncator(text).words(EXCERPT_WORDS)
    return marked(str(getattr(obj, source.title_field))), marked(excerpt)
