"""Words beside full text: typing errors, parts of compounds, ae for ä (rollout.search.lexicon)."""

from __future__ import annotations

from datetime import date

import pytest

from assistants.embeddings import reset_embedder
from rollout.faq.search import faq_search
from rollout.models import FaqCategory, FaqEntry, SearchWord, SearchWordKey, UseCase
from rollout.search import lexicon
from rollout.search.tasks import search_words_rebuild
from rollout.usecases.search import search_use_cases, use_case_source

CORPUS = [
    ("Reisekostenabrechnung prüfen", "Belege werden von Hand geprüft.",
     "Die KI liest Belege aus und prüft sie gegen die Reiserichtlinie."),
    ("Stellenanzeigen schreiben", "Anzeigentexte klingen veraltet.",
     "Die KI schlägt Texte vor, die Personalabteilung passt sie an."),
    ("Schutzmasken bestellen", "Der Bestand an Schutzmasken wird von Hand gezählt.",
     "Die KI schätzt den Bedarf aus dem Schichtplan."),
    ("Masse der Bauteile schätzen", "Die Masse wird bisher gewogen.",
     "Ein Modell schätzt sie aus der Zeichnung."),
    ("Ueberstunden auswerten", "Die Auswertung der Arbeitszeit dauert Tage.",
     "Die KI fasst Zeitkonten zusammen."),
    ("Handbücher übersetzen", "Handbücher müssen in fünf Sprachen vorliegen.",
     "Maschinelle Übersetzung mit Terminologieliste."),
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


def _titles(query: str) -> list[str]:
    return [hit.use_case.title for hit in search_use_cases(query)]


def _words(source: str = "use_cases") -> set[str]:
    return set(SearchWord.objects.filter(source=source).values_list("lexeme", flat=True))


# --- the pieces ---------------------------------------------------------------------------


def test_folding_matches_the_sql_function(db, django_db_blocker) -> None:
    from django.db import connection

    words = ["Kündigung", "Kuendigung", "straße", "ÜBERSTUNDEN", "Maße", "Steuer", "koeln"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT portal_fold(w) FROM unnest(%s::text[]) w", [words])
        assert [row[0] for row in cursor.fetchall()] == [lexicon.fold(w) for w in words]
    assert lexicon.fold("Kündigung") == lexicon.fold("Kuendigung") == "kundigung"
    assert lexicon.fold("Straße") == "strasse"


def test_delete_keys_and_edit_distance() -> None:
    assert lexicon.delete_keys("mask") == ["mask", "ask", "msk", "mak", "mas"]
    assert lexicon.delete_keys("rat") == ["rat"]  # short words: no typo keys
    assert lexicon.edit_distance("kurzarbeitergelt", "kurzarbeitergeld", 2) == 1
    assert lexicon.edit_distance("vereinbahr", "vereinbar", 2) == 1
    assert lexicon.edit_distance("protkoll", "protokoll", 2) == 1
    assert lexicon.edit_distance("porotkoll", "protokoll", 2) == 2  # a swap is one edit
    assert lexicon.edit_distance("abcdef", "uvwxyz", 2) == 3  # capped at limit + 1
    assert lexicon.edit_distance("kurz", "kurzarbeit", 2) == 3


# --- the word list, kept by the trigger ---------------------------------------------------


def test_a_new_record_adds_its_stemmed_words_with_their_keys(corpus) -> None:
    words = _words()
    assert {"reisekostenabrechn", "schutzmask", "ueberstund", "handbuch"} <= words
    word = SearchWord.objects.get(source="use_cases", lexeme="ueberstund")
    assert word.folded == "uberstund"
    keys = set(SearchWordKey.objects.filter(word=word).values_list("key", flat=True))
    assert keys == set(lexicon.delete_keys("uberstund"))


def test_an_edit_adds_new_words_and_an_unchanged_save_adds_nothing(corpus) -> None:
    before = SearchWordKey.objects.count()
    corpus[0].save()
    assert SearchWordKey.objects.count() == before
    corpus[0].solution = "Quittungen werden automatisch erkannt."
    corpus[0].save()
    assert "quittung" in _words()


def test_faq_entries_fill_the_german_and_the_english_list(db) -> None:
    category = FaqCategory.objects.create(name_de="Allgemein")
    FaqEntry.objects.create(
        category=category,
        question_de="Wer bezahlt die Schutzbrille?",
        answer_de="Die Firma.",
        question_en="Who pays for safety goggles?",
        answer_en="The company.",
        reviewed_on=date(2026, 12, 1),
    )
    assert "schutzbrill" in _words("faq_de")
    assert "goggl" in _words("faq_en") and "schutzbrill" not in _words("faq_en")


def test_rebuild_drops_the_words_of_deleted_records_and_keeps_the_rest(corpus) -> None:
    corpus[2].delete()  # the masks
    assert "schutzmask" in _words()  # a trigger only adds
    total = lexicon.rebuild()
    assert "schutzmask" not in _words() and "reisekostenabrechn" in _words()
    assert total == SearchWord.objects.count()
    assert not SearchWordKey.objects.filter(word__lexeme="schutzmask").exists()
    assert lexicon.rebuild() == total  # idempotent
    assert search_words_rebuild() == total  # what beat runs nightly


# --- search with it -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Reisekostenabrechnug", "Reisekostenabrechnung prüfen"),  # a letter missing
        ("Reisekostanabrechnung", "Reisekostenabrechnung prüfen"),  # a wrong letter
        ("Stellenazneigen", "Stellenanzeigen schreiben"),  # two letters swapped
        ("Handbüher übersezten", "Handbücher übersetzen"),  # both words misspelt
    ],
)
def test_a_misspelt_word_finds_the_nearest_word(corpus, no_model, query, title) -> None:
    assert _titles(query) == [title]


def test_a_known_word_is_not_corrected_to_a_neighbour(corpus, no_model) -> None:
    assert _titles("Masse") == ["Masse der Bauteile schätzen"]  # not "Maske"
    assert _titles("Maske") == ["Schutzmasken bestellen"]  # the compound, not "Masse"


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Maske", "Schutzmasken bestellen"),
        ("Abrechnung", "Reisekostenabrechnung prüfen"),
        ("Anzeigen", "Stellenanzeigen schreiben"),
        ("Zeit", "Ueberstunden auswerten"),  # "Arbeitszeit"
        ("Liste", "Handbücher übersetzen"),  # "Terminologieliste"
    ],
)
def test_the_last_part_of_a_compound_finds_it(corpus, no_model, query, title) -> None:
    assert title in _titles(query)


def test_ae_and_umlaut_spellings_find_each_other(corpus, no_model) -> None:
    assert _titles("Überstunden") == ["Ueberstunden auswerten"]
    assert _titles("Uebersetzung") == ["Handbücher übersetzen"]
    assert _titles("Handbuecher") == ["Handbücher übersetzen"]


def test_the_word_found_for_the_typed_one_is_highlighted(corpus, no_model) -> None:
    (hit,) = search_use_cases("Reisekostenabrechnug")
    assert "<mark>Reisekostenabrechnung</mark>" in hit.headline_title
    (hit,) = search_use_cases("Maske")
    assert "<mark>Schutzmasken</mark>" in hit.headline_title


def test_nonsense_and_short_words_get_no_guesses(corpus, no_model) -> None:
    assert _titles("Quantencomputer") == []
    assert _titles("zzzz") == []
    assert "ki" in _words()
    expansion = lexicon.expansions(use_case_source(), ["Kir"])[0]
    assert expansion.alternatives == ()  # one edit from "ki", but three letters: no guesses
    (stop,) = lexicon.expansions(use_case_source(), ["und"])
    assert stop.stem == "" and stop.alternatives == ()


def test_three_queries_whatever_the_number_of_tokens(corpus, django_assert_num_queries) -> None:
    tokens = ["Reisekostenabrechnug", "Maske", "Ueberstunden", "und", "Zeit", "xq"] * 2
    lexicon.synonyms_of("german", ["x"], ["x"])  # the process reads the glossary once
    # The stems, the company glossary's version (has an admin changed it?), the lookups.
    with django_assert_num_queries(3):
        found = lexicon.expansions(use_case_source(), tokens)
    assert len(found) == len(tokens)
    assert "reisekostenabrechn" in found[0].alternatives


def test_the_faq_search_corrects_typos_too(db, no_model) -> None:
    category = FaqCategory.objects.create(name_de="Allgemein")
    entry = FaqEntry.objects.create(
        category=category,
        question_de="Wie hoch ist das Kurzarbeitergeld?",
        answer_de="60 Prozent des ausgefallenen Nettoentgelts.",
        reviewed_on=date(2026, 12, 1),
    )
    assert [hit.obj for hit in faq_search("kurzarbeitergelt höhe", language="de")] == [entry]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Belegprüfung", "Reisekostenabrechnung prüfen"),  # beleg + prüf(en)
        ("Anzeigentextvorschläge", None),  # three parts: not split, nothing guessed
        ("Überstundenauswertung", "Ueberstunden auswerten"),  # überstunden + auswert(en)
    ],
)
def test_a_compound_the_source_has_only_in_parts(corpus, no_model, query, title) -> None:
    assert _titles(query) == ([title] if title else [])


def test_a_split_needs_both_parts(corpus, no_model) -> None:
    (expansion,) = lexicon.expansions(use_case_source(), ["Belegfälschung"])
    assert expansion.split is None and expansion.alternatives == ()
    (expansion,) = lexicon.expansions(use_case_source(), ["Belegprüfung"])
    assert expansion.split == lexicon.Split(("beleg",), "pruf", ("pruf",))
