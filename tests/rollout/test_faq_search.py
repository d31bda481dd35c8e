"""FAQ search on the shared machinery: German and English full text, vectors, embeddings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistants.embeddings import reset_embedder
from portal.models import User
from rollout.faq.search import (
    faq_entry_changed,
    faq_reindex,
    faq_search,
    faq_source,
    related_entries,
)
from rollout.faq.services import faq_entry_create, faq_entry_update
from rollout.faq.tasks import faq_entry_embed
from rollout.models import FaqCategory, FaqEmbedding, FaqEntry
from rollout.search import vectors
from rollout.search.sources import content_hash

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CORPUS = [
    ("Verlassen unsere Daten das Unternehmen?", "Nein, das Sprachmodell läuft auf unserem Server.",
     "Does our data leave the company?", "No, the language model runs on our own server."),
    ("Was macht der Protokollgenerator?", "Er erstellt Protokolle aus Besprechungsnotizen.",
     "What does the protocol generator do?", "It drafts minutes from meeting notes."),
    ("Wie schreibe ich gute Prompts?", "Rolle, Aufgabe, Kontext und Format nennen.", "", ""),
    ("Ist der Betriebsrat eingebunden?", "Ja, der Betriebsrat ist von Anfang an dabei.", "", ""),
    ("Was sind Sprechstunden?", "Termine, in denen Multiplikatoren Fragen beantworten.",
     "What are office hours?", "Slots in which multipliers answer questions."),
]  # fmt: skip


@pytest.fixture
def no_model(settings):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = None
    yield
    reset_embedder()


@pytest.fixture
def tiny_model(settings, tiny_embedding_model: Path):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = tiny_embedding_model
    yield
    reset_embedder()


@pytest.fixture
def corpus() -> list[FaqEntry]:
    category = FaqCategory.objects.create(name_de="Allgemein", name_en="General")
    return [
        FaqEntry.objects.create(
            category=category,
            question_de=q_de,
            answer_de=a_de,
            question_en=q_en,
            answer_en=a_en,
            reviewed_on=date(2026, 1, 1),
        )
        for q_de, a_de, q_en, a_en in CORPUS
    ]


def _questions(hits) -> list[str]:
    return [hit.obj.question_de for hit in hits]


def test_german_stemming_and_prefix(corpus, no_model) -> None:
    for query in ("Protokolle", "Protokoll", "protok", "Protokollgenerators"):
        assert _questions(faq_search(query, language="de")) == [corpus[1].question_de], query
    assert _questions(faq_search("Betriebsrats", language="de")) == [corpus[3].question_de]
    hits = faq_search("Sprachmodell Server", language="de")
    assert _questions(hits) == [corpus[0].question_de]
    assert "<mark>Sprachmodell</mark>" in hits[0].headline_text


def test_unpublished_entries_are_not_found(corpus, no_model) -> None:
    corpus[1].published = False
    corpus[1].save()
    assert faq_search("Protokoll", language="de") == []


def test_english_readers_search_english_text_and_german_where_none(corpus, no_model) -> None:
    hits = faq_search("minutes meeting", language="en")
    assert _questions(hits) == [corpus[1].question_de]
    assert hits[0].obj.fallback is False
    assert "<mark>minutes</mark>" in hits[0].headline_text  # English stemming: "minut"
    assert _questions(faq_search("office hour", language="en")) == [corpus[4].question_de]
    # No English text: the German one is searched (and shown) instead.
    hits = faq_search("Betriebsrat", language="en")
    assert _questions(hits) == [corpus[3].question_de] and hits[0].obj.fallback is True
    # German users do not search the English text ("minutes" would be a glossary word).
    assert faq_search("drafts", language="de") == []


@pytest.mark.parametrize("query", ["", "   ", "!!! ???", "der die das", "\x00\x01", "a" * 500])
def test_odd_queries_give_no_hits(corpus, no_model, query: str) -> None:
    assert faq_search(query, language="de") == []
    assert faq_search(query, language="en") == []


def test_search_page_works_without_js_and_as_a_fragment(client, alice, corpus, no_model) -> None:
    client.force_login(alice)
    page = client.get("/faq/", {"q": "Protokolle"}).content.decode()
    assert "<html" in page and 'hx-get="/faq/"' in page and 'value="Protokolle"' in page
    assert f'href="/faq/{corpus[1].pk}/"' in page and f'href="/faq/{corpus[0].pk}/"' not in page
    fragment = client.get("/faq/", {"q": "Protok"}, **HTMX).content.decode()
    assert "<html" not in fragment and "<mark>Protokollgenerator</mark>" in fragment
    assert 'id="semantic-off"' in fragment
    empty = client.get("/faq/", {"q": ""}, **HTMX).content.decode()
    assert "Allgemein" in empty and "<html" not in empty  # back to the categories
    bad = client.get("/faq/", {"q": "<script>alert(1)</script>"}, **HTMX).content.decode()
    assert "<script>alert" not in bad


def test_english_user_sees_english_headlines(client, alice, corpus, no_model) -> None:
    User.objects.filter(pk=alice.pk).update(preferred_language="en")
    client.force_login(alice)
    fragment = client.get("/faq/", {"q": "Betriebsrat"}, **HTMX).content.decode()
    assert "in German" in fragment
    fragment = client.get("/faq/", {"q": "protocol"}, **HTMX).content.decode()
    assert "<mark>protocol</mark>" in fragment and "in German" not in fragment


# --- vectors through the tiny embedding model --------------------------------------------


def test_embedding_task_is_idempotent_and_follows_changes(
    ada, corpus, tiny_model, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        entry = faq_entry_create(
            category=corpus[0].category, question_de="Neue Frage", answer_de="Antwort", by=ada
        )
    assert [c.func.__self__.name for c in callbacks] == [faq_entry_embed.name]
    assert faq_entry_embed(entry.pk) == 1
    stored = FaqEmbedding.objects.get(entry=entry)
    assert (stored.model_name, stored.dimension) == ("tiny-embed.gguf", 32)
    assert stored.content_hash == content_hash("Neue Frage\n\nAntwort")
    assert vectors.index_name(FaqEmbedding, 32) in _index_names()
    assert faq_entry_embed(entry.pk) == 0  # delivered twice: nothing to do

    with django_capture_on_commit_callbacks() as callbacks:
        faq_entry_update(
            entry=entry,
            category=entry.category,
            question_de="Neue Frage",
            answer_de="Antwort",
            question_en="New question",
            answer_en="Answer",
            by=ada,
        )
    assert len(callbacks) == 1 and faq_entry_embed(entry.pk) == 1
    stored.refresh_from_db()
    assert stored.content_hash == content_hash("Neue Frage\n\nNew question\n\nAntwort\n\nAnswer")
    assert faq_entry_embed(999999) == 0  # gone: quietly nothing


def test_no_model_no_task(ada, corpus, no_model, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        faq_entry_changed(corpus[0].pk)
    assert callbacks == []
    assert faq_entry_embed(corpus[0].pk) == 0
    assert faq_reindex() is None


def test_vector_ranking_joins_full_text(corpus, tiny_model) -> None:
    result = faq_reindex()
    assert (result.checked, result.embedded) == (len(CORPUS), len(CORPUS))
    assert faq_reindex().embedded == 0
    open_de = replace(faq_source(), min_similarity=-1.0)  # every neighbour counts
    hits = faq_search("Sprechstunden", language="de", source_de=open_de)
    assert hits[0].obj == corpus[4] and hits[0].sources == ("fulltext", "vector")
    assert len(hits) == len(CORPUS) and all(h.sources == ("vector",) for h in hits[1:])

    open_en = replace(faq_source("en"), min_similarity=-1.0)
    hits = faq_search("office hours", language="en", source_de=open_de, source_en=open_en)
    assert hits[0].obj == corpus[4] and len(hits) == len(CORPUS)
    assert {h.obj.fallback for h in hits} == {True, False}


def test_an_entry_found_by_meaning_only(corpus, tiny_model) -> None:
    # Stop words only: full text finds nothing, the identical text's vector does.
    quiet = FaqEntry.objects.create(
        category=corpus[0].category,
        question_de="Und wenn nicht, dann doch",
        answer_de="Aber wir sind da.",
        reviewed_on=date(2026, 1, 1),
    )
    faq_reindex()
    text = faq_source().embedding_text(quiet)
    hits = faq_search(text, language="de")
    assert hits[0].obj == quiet and hits[0].sources == ("vector",)


def test_related_entries_use_stored_vectors(corpus, tiny_model) -> None:
    # Stop words only, other categories: no shared lexeme, only the vectors relate them.
    quiet, twin = (
        FaqEntry.objects.create(
            category=FaqCategory.objects.create(name_de=name),
            question_de="Und wenn nicht, dann doch",
            answer_de="Aber wir sind da.",
            reviewed_on=date(2026, 1, 1),
        )
        for name in ("Eins", "Zwei")
    )
    assert related_entries(quiet) == []  # not embedded yet
    faq_reindex()
    assert related_entries(quiet)[0] == twin  # identical meaning: nearest


def _index_names() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'rollout_faqembedding'")
        return {row[0] for row in cursor.fetchall()}
