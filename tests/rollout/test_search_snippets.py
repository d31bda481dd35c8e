"""Search snippets read as text: Markdown marks are gone before matches are highlighted."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Value

from rollout.faq.search import faq_search
from rollout.models import FaqCategory, FaqEntry
from rollout.search.headlines import _plain_markdown_sql, plain_markdown

pytestmark = pytest.mark.django_db

ANSWER = (
    "## Kurz gesagt\n"
    "- Kundendaten gehören **nie** in öffentliche Dienste, siehe [Datenschutz](/datenschutz/).\n"
    "- Der *lokale* Assistent ist erlaubt: `Assistenten` im Menü, <https://ki.intern/hilfe>.\n"
    "1. Erst fragen, dann 3*4 Mal prüfen.\n"
    "> Tipp: ![Bild](/static/tipp.png) Datenschutz zuerst."
)


@pytest.fixture
def entry(settings) -> FaqEntry:
    settings.EMBEDDING_MODEL_PATH = None  # full text only
    category = FaqCategory.objects.create(name_de="Datenschutz")
    return FaqEntry.objects.create(
        category=category,
        question_de="Darf ich Kundendaten in KI-Dienste eingeben?",
        answer_de=ANSWER,
        reviewed_on=date(2026, 12, 1),
    )


def test_the_highlighted_excerpt_shows_the_link_text_not_the_markdown(entry) -> None:
    [hit] = faq_search("Datenschutz", language="de")
    excerpt = str(hit.headline_text)

    assert "<mark>Datenschutz</mark>" in excerpt
    for raw in ("](", "/datenschutz/", "**", "##", "`", "![", "<https"):
        assert raw not in excerpt, raw


def test_sql_and_python_strip_the_same_marks(entry) -> None:
    in_sql = FaqEntry.objects.annotate(plain=_plain_markdown_sql(Value(ANSWER))).get().plain
    assert in_sql == plain_markdown(ANSWER)
    assert plain_markdown(ANSWER).splitlines() == [
        "Kurz gesagt",
        "Kundendaten gehören nie in öffentliche Dienste, siehe Datenschutz.",
        "Der lokale Assistent ist erlaubt: Assistenten im Menü, https://ki.intern/hilfe.",
        "Erst fragen, dann 3*4 Mal prüfen.",
        "Tipp: Bild Datenschutz zuerst.",
    ]
