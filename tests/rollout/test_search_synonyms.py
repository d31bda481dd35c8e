"""The search glossary: what employees type for what the records call otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from assistants.embeddings import get_embedder, reset_embedder
from rollout.faq.search import faq_search, faq_source
from rollout.models import FaqCategory, FaqEntry, SearchGlossary
from rollout.search import fulltext, hybrid, lexicon, synonyms
from rollout.search.synonyms import Glossary, GlossaryError, parse

PAY = "Wann wird das Gehalt überwiesen und wo finde ich meine Gehaltsabrechnung?"
TOOLS = "Welche KI-Tools sind freigegeben?"
CLOUD = "Wo lege ich Dateien in der Hallberg-Ablage ab?"
OUTAGE = "Was tue ich bei einer technischen Störung?"


@pytest.fixture
def entries(db) -> dict[str, FaqEntry]:
    category = FaqCategory.objects.create(name_de="Allgemein")
    texts = {
        PAY: "Am letzten Werktag; die Abrechnung steht im Personalportal.",
        TOOLS: "Freigegeben sind das lokale Modell und die Werkzeuge der Liste.",
        CLOUD: "Alle Projektdateien gehören in die Hallberg-Ablage, nicht auf den Desktop.",
        OUTAGE: "Melden Sie sie dem IT-Service mit einer kurzen Beschreibung.",
    }
    return {
        question: FaqEntry.objects.create(
            category=category, question_de=question, answer_de=answer, reviewed_on=date(2026, 1, 1)
        )
        for question, answer in texts.items()
    }


def _found(query: str) -> list[str]:
    return [hit.obj.question_de for hit in faq_search(query, language="de")]


def _company(text: str, *, built_in: bool = True) -> None:
    SearchGlossary.objects.update_or_create(pk=1, defaults={"text": text, "use_built_in": built_in})


def _letters(words):
    """A stand-in stemmer for the pure tests: lower case, a final "s" off ("azubis")."""
    return [w.lower().removesuffix("s") for w in words]


# --- reading rules ------------------------------------------------------------------------


def test_rules_read_equivalent_and_one_way_lines_and_skip_comments():
    rules = parse(
        "# Entgelt\n"
        "gehaltsabrechnung, Lohnzettel ,  lohn  abrechnung  # Kommentar\n"
        "\n"
        "chatgpt, copilot => ki-tool\n"
    )
    assert [(r.line, r.terms, r.targets) for r in rules] == [
        (2, ("gehaltsabrechnung", "lohnzettel", "lohn abrechnung"),
         ("gehaltsabrechnung", "lohnzettel", "lohn abrechnung")),
        (4, ("chatgpt", "copilot"), ("ki-tool",)),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("nur ein begriff", "Zeile 3: Eine Regel braucht mindestens zwei Begriffe"),
        ("a => b => c", "Zeile 3: „=>“ darf nur einmal vorkommen."),
        ("=> ki-tool", "Zeile 3: Schreiben Sie Begriffe auf beide Seiten von „=>“."),
        ("copilot =>", "Zeile 3: Schreiben Sie Begriffe auf beide Seiten von „=>“."),
        ("ki, ---", "Zeile 3: „---“ enthält kein Wort."),
        ("ki, eins zwei drei vier", "Zeile 3: „eins zwei drei vier“ ist zu lang"),
        (", ".join(f"w{n}" for n in range(33)), "Zeile 3: höchstens 32 Begriffe pro Zeile."),
    ],
)
def test_a_bad_line_is_named_with_what_to_fix(line, message):
    with pytest.raises(GlossaryError) as error:
        parse(f"# Kopf\nurlaub, ferien\n{line}\n")
    assert str(error.value).startswith(message)


def test_every_bad_line_is_reported_at_once():
    with pytest.raises(GlossaryError) as error:
        parse("eins\nurlaub, ferien\nzwei\n")
    assert str(error.value).splitlines() == [
        "Zeile 1: Eine Regel braucht mindestens zwei Begriffe, durch Kommas getrennt.",
        "Zeile 3: Eine Regel braucht mindestens zwei Begriffe, durch Kommas getrennt.",
    ]


def test_the_built_in_list_reads_and_keeps_each_term_in_one_group():
    rules = synonyms.built_in_rules()
    assert len(rules) >= 200
    seen: dict[str, int] = {}
    for rule in rules:
        if rule.terms == rule.targets:  # equivalent terms: a term in two groups joins them
            for term in rule.terms:
                assert seen.setdefault(term, rule.line) == rule.line, term
    assert all(term == term.lower() for rule in rules for term in rule.terms)


# --- matching what was typed ----------------------------------------------------------------


def test_typed_words_find_the_other_terms_and_the_rule_names_its_first():
    glossary = Glossary.build(parse("gehaltsabrechnung, lohnzettel, payslip"), _letters)
    [found] = glossary.matches(_letters(["Lohnzettels"]))
    assert found.targets == ("gehaltsabrechnung", "payslip")
    assert found.preferred == "gehaltsabrechnung"
    [itself] = glossary.matches(_letters(["Gehaltsabrechnung"]))
    assert itself.targets == ("lohnzettel", "payslip")
    assert itself.preferred is None  # typed as the rule names it: nothing to add


def test_one_way_rules_do_not_work_backwards():
    glossary = Glossary.build(parse("chatgpt, copilot => ki-tool"), _letters)
    assert glossary.matches(["copilot"])[0].targets == ("ki-tool",)
    assert glossary.matches(["ki", "tool"]) == [None, None]


def test_the_longest_term_wins_and_each_of_its_words_gets_the_targets():
    glossary = Glossary.build(
        parse("lenkungskreis, steering committee\ncommittee, ausschuss"), _letters
    )
    found = glossary.matches(["aufgaben", "steering", "committee"])
    assert found[0] is None
    assert found[1] == found[2]
    assert found[1].targets == ("lenkungskreis",)
    assert glossary.matches(["committee"])[0].targets == ("ausschuss",)


def test_a_term_with_a_stop_word_needs_that_word():
    stop_words = {"nicht", "das", "wie"}

    def stems(words):
        return ["" if w in stop_words else w for w in words]

    glossary = Glossary.build(parse("geht nicht, kaputt => störung"), lambda ws: [
        stem or word for word, stem in zip(ws, stems(ws), strict=True)
    ])  # fmt: skip
    assert glossary.matches(["wie", "geht", "das"]) == [None, None, None]
    assert glossary.matches(["geht", "nicht"])[0].targets == ("störung",)


def test_the_model_reads_the_preferred_terms_once_each():
    glossary = Glossary.build(
        parse("gehaltsabrechnung, lohnzettel\nchatgpt, copilot => ki-tool"), _letters
    )
    found = glossary.matches(["lohnzettel", "copilot", "chatgpt"])
    assert synonyms.expanded_text("x", found) == "x (gehaltsabrechnung, ki-tool)"
    assert synonyms.expanded_text("x", [None]) == "x"


# --- in the search --------------------------------------------------------------------------


def test_the_built_in_list_finds_the_official_word_for_the_colloquial_one(entries):
    assert _found("Lohnzettel") == [PAY]
    assert _found("lohnzettel herunterladen")[0] == PAY
    assert _found("ChatGPT") == [TOOLS]  # one way: brand names find the general term
    assert _found("kaputt") == [OUTAGE]


def test_the_company_list_counts_at_once_and_the_built_in_one_can_be_switched_off(entries):
    assert _found("Nextcloud") == []
    _company("hallberg-ablage, nextcloud, fileserver")
    assert _found("Nextcloud") == [CLOUD]
    assert _found("Fileserver") == [CLOUD]
    _company("hallberg-ablage, nextcloud", built_in=False)
    assert _found("Nextcloud") == [CLOUD]
    assert _found("Lohnzettel") == []  # the built-in list is off
    SearchGlossary.objects.all().delete()
    assert _found("Nextcloud") == []
    assert _found("Lohnzettel") == [PAY]


def test_a_stored_line_that_no_longer_reads_is_left_out_and_the_rest_works(entries):
    _company("nur-ein-begriff\nhallberg-ablage, nextcloud")
    assert _found("Nextcloud") == [CLOUD]


def test_english_searches_are_not_widened(entries):
    assert lexicon.synonyms_of(faq_source("en").config, ["payslip"], ["payslip"]) == [None]


@pytest.fixture
def texts_embedded(settings, tiny_embedding_model, monkeypatch) -> list[str]:
    """What the (real, tiny) embedding model is asked to embed, in order."""
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = tiny_embedding_model
    seen: list[str] = []
    real = hybrid._embedded

    def recorded(embedder, text, *, query):
        seen.append(text)
        return real(embedder, text, query=query)

    monkeypatch.setattr(hybrid, "_embedded", recorded)
    yield seen
    reset_embedder()


def test_the_embedding_model_reads_the_query_with_its_preferred_terms(entries, texts_embedded):
    assert get_embedder() is not None
    faq_search("Lohnzettel heute", language="de")
    faq_search("Gehaltsabrechnung", language="de")
    assert texts_embedded == ["Lohnzettel heute (gehaltsabrechnung)", "Gehaltsabrechnung"]


@pytest.mark.parametrize(
    ("typed", "also"),
    [
        ("Lohnzettels", "gehaltsabrechnung"),  # stems: the inflected form matches too
        ("Azubis", "auszubildende"),
        ("MS Teams", "videokonferenz"),
        ("Team", None),  # "teams" alone is no rule: its stem is the one of "Team"
        ("wie geht das", None),  # "geht nicht" needs the "nicht"
    ],
)
def test_the_built_in_list_on_the_real_stemmer(db, typed, also):
    tokens = fulltext.query_tokens(typed)
    found = lexicon.synonyms_of("german", tokens, lexicon.stems(tokens, "german"))
    targets = {term for f in found if f for term in f.targets}
    assert (also in targets) if also else not targets
