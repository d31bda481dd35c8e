"""Show FAQ texts in the reader's language, answers as a safe Markdown subset.

Like assistants.rendering (raw HTML off, nh3 allow-list), with two differences that suit
text the FAQ team writes by hand in a textarea: a single line break stays a line break,
and links may point into the portal itself ("/termine/").
"""

from __future__ import annotations

from collections.abc import Iterable

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from assistants.rendering import plain
from rollout.models import FaqCategory, FaqEntry, Question

ENGLISH = "en"
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
_CLEANER = nh3.Cleaner(
    tags={"p", "br", "strong", "em", "ul", "ol", "li", "code", "pre", "blockquote"}
    | {"h3", "h4", "h5", "h6", "a"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "*": set()},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def render_answer(text: str) -> SafeString:
    """Return an answer as sanitised HTML: paragraphs, line breaks, a little Markdown."""
    tokens = _MARKDOWN.parse(plain(text))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"  # the page owns h1 and h2
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return mark_safe(_CLEANER.clean(html))  # noqa: S308 - nh3 has just sanitised it


def localize(entries: Iterable[FaqEntry], language: str) -> None:
    """Set `shown_question`, `shown_answer` and `fallback` on each entry.

    English readers get the English version where it exists, else the German one with
    `fallback` set (the page says so); everyone else gets German.
    """
    for entry in entries:
        english = language == ENGLISH and bool(entry.question_en)
        entry.shown_question = entry.question_en if english else entry.question_de
        entry.shown_answer = entry.answer_en if english else entry.answer_de
        entry.fallback = language == ENGLISH and not english


def current_answer(question: Question, language: str) -> str:
    """The question's answer now: its FAQ entry's, in `language`, once published as one
    (whether or not the entry is shown at the moment); else the direct answer."""
    entry = question.faq_entry
    if entry is None:
        return question.answer
    localize([entry], language)
    return entry.shown_answer


def localize_categories(categories: Iterable[FaqCategory | None], language: str) -> None:
    """Set `shown_name` on each category: English where wanted and given, else German."""
    for category in categories:
        if category is not None:
            english = language == ENGLISH and bool(category.name_en)
            category.shown_name = category.name_en if english else category.name_de
