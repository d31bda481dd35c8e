"""Hybrid search over a fixed corpus: full text (German), vectors (tiny model), fusion."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistants.embeddings import reset_embedder
from rollout.models import UseCase
from rollout.search import fulltext, hybrid
from rollout.search.hybrid import rrf_merge
from rollout.usecases.search import (
    search_use_cases,
    similar_use_cases,
    use_case_source,
    use_cases_reindex,
)

CORPUS = [
    ("Protokoll der Teamrunde automatisch erstellen",
     "Nach jeder Besprechung schreibt jemand eine Stunde lang das Protokoll.",
     "Der Protokoll-Assistent erstellt aus den Notizen einen Entwurf, den die Moderation prüft."),
    ("Angebotsentwürfe im Vertrieb",
     "Angebote für Standardmaschinen kosten viel Zeit.",
     "Die KI formuliert Angebotstexte aus der Produktdatenbank vor."),
    ("Kundenanfragen vorsortieren",
     "Im Postfach des Kundenservice landen täglich hunderte E-Mails.",
     "Ein Sprachmodell ordnet Anfragen Themen zu und schlägt Antworten vor."),
    ("Stellenanzeigen schreiben",
     "Stellenanzeigen klingen veraltet und ziehen wenige Bewerbungen an.",
     "Die KI schlägt Texte vor, die Personalabteilung passt sie an."),
    ("Technische Dokumentation übersetzen",
     "Handbücher müssen in fünf Sprachen vorliegen.",
     "Maschinelle Übersetzung mit Terminologieliste, Fachleute prüfen das Ergebnis."),
    ("Wartungsberichte zusammenfassen",
     "Servicetechniker schreiben lange Berichte über jeden Einsatz.",
     "Die KI fasst Berichte zusammen und markiert wiederkehrende Fehler."),
    ("Lieferantenverträge prüfen",
     "Verträge enthalten Klauseln zu Haftung und Lieferfristen.",
     "Die KI markiert abweichende Klauseln, die Rechtsabteilung entscheidet."),
    ("Meeting-Notizen strukturieren",
     "Notizen aus Workshops liegen verstreut in Dateien vor.",
     "Der Assistent ordnet Notizen nach Entscheidungen und Aufgaben; daraus entstehen Protokolle."),
    ("Schulungsunterlagen erstellen",
     "Für neue Maschinen fehlen Schulungsunterlagen.",
     "Die KI erstellt Entwürfe für Folien und Übungsaufgaben."),
    ("Reisekostenabrechnung prüfen",
     "Belege werden von Hand geprüft.",
     "Die KI liest Belege aus und prüft sie gegen die Reiserichtlinie."),
]  # fmt: skip


@pytest.fixture
def corpus(bob) -> list[UseCase]:
    return [
        UseCase.objects.create(
            title=title, problem=problem, solution=solution, owner=bob, department=bob.department
        )
        for title, problem, solution in CORPUS
    ]


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


def _titles(hits) -> list[str]:
    return [hit.use_case.title for hit in hits]


# --- rank fusion --------------------------------------------------------------------------


def test_rrf_sums_reciprocal_ranks_and_prefers_records_in_both_rankings() -> None:
    merged = rrf_merge({"fulltext": [1, 2, 3], "vector": [3, 4]}, k=60)

    assert [pk for pk, _score, _found in merged] == [3, 1, 2, 4]  # 2 and 4: both rank 2
    scores = {pk: score for pk, score, _found in merged}
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[1] == pytest.approx(1 / 61)
    assert {pk: found for pk, _s, found in merged}[3] == ("fulltext", "vector")


def test_rrf_ties_go_to_the_better_single_rank_then_the_smaller_id() -> None:
    merged = rrf_merge({"a": [7, 5], "b": [5, 7], "c": [9]})
    assert [pk for pk, _s, _f in merged] == [5, 7, 9]
    assert rrf_merge({"a": [2], "b": [1]})[0][0] == 1
    assert rrf_merge({"a": [4, 4, 8]}) == rrf_merge({"a": [4, 8]})  # duplicates count once
    assert rrf_merge({}) == [] and rrf_merge({"a": []}) == []


# --- full text ----------------------------------------------------------------------------


def test_tokens_are_words_only() -> None:
    assert fulltext.query_tokens("Protok:* & !der | (Angebot) 'x' --") == [
        "Protok",
        "der",
        "Angebot",
        "x",
    ]
    assert fulltext.query_tokens("Protokoll protokoll PROTOKOLL foo_bar") == [
        "Protokoll",
        "foo",
        "bar",
    ]
    assert fulltext.query_tokens("a" * 61 + " ok") == ["ok"]
    with pytest.raises(ValueError):
        fulltext.tsquery(["a:*"])


def test_stemming_and_prefix_find_the_protocol_use_cases(corpus, no_model) -> None:
    for query in ("Protokolle", "Protokoll", "protok", "Protok"):
        titles = _titles(search_use_cases(query))
        assert titles[0] == "Protokoll der Teamrunde automatisch erstellen", query  # title: A
        assert set(titles) == {titles[0], "Meeting-Notizen strukturieren"}, query
    assert _titles(search_use_cases("Berichte zusammenfassen")) == [
        "Wartungsberichte zusammenfassen"
    ]


def test_all_words_first_then_any_word(corpus, no_model) -> None:
    assert _titles(search_use_cases("Protokoll Teamrunde")) == [
        "Protokoll der Teamrunde automatisch erstellen"
    ]
    # "Meeting-Notizen" is the glossary's word for a "Besprechungsprotokoll": both words.
    assert set(_titles(search_use_cases("Protokoll Besprechung"))) == {
        "Protokoll der Teamrunde automatisch erstellen",
        "Meeting-Notizen strukturieren",
    }
    either = _titles(search_use_cases("Protokoll Reisekosten"))  # no record has both
    assert set(either) == {
        "Protokoll der Teamrunde automatisch erstellen",
        "Meeting-Notizen strukturieren",
        "Reisekostenabrechnung prüfen",
    }


@pytest.mark.parametrize(
    "query", ["", "   ", "!!! ??? ...", "der die das", "\x00\x01\x7f", "zzzqqq", "a" * 500]
)
def test_queries_without_matches_give_no_hits(corpus, no_model, query: str) -> None:
    assert search_use_cases(query) == []


def test_search_stays_within_the_given_queryset(corpus, no_model) -> None:
    corpus[0].status = UseCase.Status.PILOT
    corpus[0].save()
    pilots = UseCase.objects.filter(status=UseCase.Status.PILOT)
    assert _titles(search_use_cases("Protokoll", queryset=pilots)) == [corpus[0].title]
    ideas = UseCase.objects.filter(status=UseCase.Status.IDEA)
    assert _titles(search_use_cases("Protokoll", queryset=ideas)) == [corpus[7].title]


def test_full_text_only_without_a_model(corpus, no_model) -> None:
    hits = search_use_cases("Protokoll")
    assert hybrid.semantic_enabled() is False
    assert all(hit.sources == ("fulltext",) for hit in hits)


# --- vectors through the tiny embedding model --------------------------------------------


def test_vector_ranking_joins_the_full_text_one(corpus, tiny_model) -> None:
    source = use_case_source()
    assert hybrid.semantic_enabled() is True
    use_cases_reindex()
    open_floor = replace(source, min_similarity=-1.0)  # every neighbour counts

    hits = hybrid.search(open_floor, "Wartungsberichte zusammenfassen")

    assert hits[0].use_case.title == "Wartungsberichte zusammenfassen"
    assert hits[0].sources == ("fulltext", "vector")
    assert len(hits) == len(CORPUS)  # the vector side brings the other nine
    assert all(hit.sources == ("vector",) for hit in hits[1:])
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    closed = hybrid.search(replace(source, min_similarity=1.01), "Wartungsberichte")
    assert [h.sources for h in closed] == [("fulltext",)]


def test_a_record_found_by_meaning_only(corpus, tiny_model, bob) -> None:
    # Only German stop words: full text has no lexeme to match, the vector side still does.
    quiet = UseCase.objects.create(
        title="Und wenn nicht, dann doch", problem="Aber wir sind da.", solution="So ist es.",
        owner=bob,
    )  # fmt: skip
    use_cases_reindex()
    text = use_case_source().embedding_text(quiet)  # identical text: similarity 1

    hits = search_use_cases(text)

    assert hits[0].use_case == quiet and hits[0].sources == ("vector",)
    assert "<mark>" not in hits[0].headline_title


# --- highlights ---------------------------------------------------------------------------


def test_highlights_mark_matches_and_escape_html(bob, no_model) -> None:
    UseCase.objects.create(
        title='<script>alert("t")</script> Protokolle <b>fett</b>',
        problem="<img src=x onerror=alert(1)> Das Protokoll & die Folgen",
        solution="Ein \ue000 Protokoll \ue001 ohne Markierung von außen.",
        owner=bob,
    )
    (hit,) = search_use_cases("Protokoll")

    title, text = str(hit.headline_title), str(hit.headline_text)
    assert "<script>" not in title and "&lt;script&gt;" in title
    assert "<mark>Protokolle</mark>" in title and "&lt;b&gt;fett&lt;/b&gt;" in title
    assert "<img" not in text and "<mark>Protokoll</mark>" in text and "&amp;" in text
    assert text.count("<mark>") == text.count("</mark>") == 2  # the typed sentinels are gone
    assert "\ue000" not in text + title


def test_highlights_only_for_the_returned_page(corpus, no_model) -> None:
    (first,) = search_use_cases("Protokoll", limit=1)
    assert first.use_case.title == corpus[0].title
    assert "<mark>" in first.headline_title


# --- similar use cases -------------------------------------------------------------------


def test_similar_use_cases_need_enough_shared_words(corpus, no_model) -> None:
    hits = similar_use_cases("Protokolle von Besprechungen automatisch schreiben", "")
    assert _titles(hits) == ["Protokoll der Teamrunde automatisch erstellen"]
    assert "<mark>" in hits[0].headline_title
    assert similar_use_cases("Protokolle", "") != []  # one word: that word suffices
    assert similar_use_cases("Urlaubsplanung im Lager für den Sommer", "") == []
    assert similar_use_cases("ab", "") == []
    assert similar_use_cases("", "?!") == []


def test_similar_excludes_the_record_being_edited(corpus, no_model) -> None:
    title = "Protokoll der Teamrunde automatisch erstellen"
    assert _titles(similar_use_cases(title, "")) == [title]
    assert similar_use_cases(title, "", exclude=corpus[0].pk) == []


def test_similar_by_meaning_with_the_tiny_model(corpus, tiny_model) -> None:
    use_cases_reindex()
    report = corpus[5]
    hits = similar_use_cases(report.title, f"{report.problem}\n\n{report.solution}")
    assert hits[0].use_case == report
    assert hits[0].sources == ("fulltext", "vector")
    assert len(hits) <= 5
