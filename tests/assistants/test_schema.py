"""Model output becomes a protocol only after cleaning, validation and quote checks (no db)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from pydantic import ValidationError

from assistants.schema import (
    GENERATION_LIMITS,
    LIMITS,
    ActionItem,
    Decision,
    ProtocolDraft,
    ProtocolInvalid,
    check_against_meeting,
    generation_schema,
    merge_protocols,
    parse_protocol,
)

TRANSCRIPT = (
    "Alice: Guten Morgen. Wir beschließen, die Grüße an Frau Müller bis Freitag zu schicken.\n"
    "Bob: Ich übernehme   den Entwurf des Rundschreibens für die Abteilung.\n"
    "Rita: Ja, machen wir."
)


def _raw(**overrides: Any) -> str:
    data: dict[str, Any] = {
        "summary": "Kurze Besprechung.\n\n- Grüße verschicken\n- Rundschreiben entwerfen",
        "participants": ["Alice", "Bob", "Rita"],
        "agenda_items": [{"title": "Grüße", "notes": "Frau Müller bekommt Grüße."}],
        "decisions": [
            {"text": "Grüße an Frau Müller", "source_quote": "die Grüße an Frau Müller"},
        ],
        "action_items": [
            {
                "task": "Rundschreiben entwerfen",
                "owner": "Bob",
                "due_date": "2025-03-07",
                "source_quote": "den Entwurf des Rundschreibens",
            }
        ],
        "open_questions": ["Wer unterschreibt?"],
    }
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False)


def _schema_nodes(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schema_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_nodes(value)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_a_valid_protocol_round_trips() -> None:
    protocol = parse_protocol(_raw(), transcript=TRANSCRIPT)

    assert protocol.summary == json.loads(_raw())["summary"]
    assert protocol.participants == ["Alice", "Bob", "Rita"]
    assert protocol.agenda_items[0].notes == "Frau Müller bekommt Grüße."
    assert protocol.action_items[0].due_date == "2025-03-07"
    assert protocol.open_questions == ["Wer unterschreibt?"]
    assert protocol.notes == []
    assert ProtocolDraft.model_validate_json(protocol.model_dump_json()) == protocol


def test_missing_lists_become_empty_and_unknown_keys_are_ignored() -> None:
    protocol = parse_protocol('{"summary": "Nur das.", "extra": 1}', transcript="")

    assert protocol == ProtocolDraft(summary="Nur das.")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Das ist kein JSON", "not JSON"),
        ('{"summary": "abgeschnitten', "not JSON"),
        ("[" * 100_000, "not JSON"),  # too deep for the parser, still a clean error
        ('["summary"]', "not a JSON object"),
        ('{"participants": []}', "no summary"),
        ('{"summary": null}', "no summary"),
        ('{"summary": 42}', "no summary"),
        ('{"summary": "x", "participants": "Alice, Bob"}', "not a list"),
    ],
)
def test_unusable_output_is_invalid(raw: str, reason: str) -> None:
    with pytest.raises(ProtocolInvalid, match=reason):
        parse_protocol(raw, transcript=TRANSCRIPT)


def test_control_and_invisible_characters_are_removed() -> None:
    raw = _raw(
        summary="Hallo\x00 Welt\x07\r\nZeile\u202e zwei\tmit Tab\u2028Ende \ud800",
        participants=["Ada\nLovelace\t", "\x1b[31mBob", "Zoë\u200b", "👩\u200d💻 Eve"],
        open_questions=["Frage\x0bmit\x0cUmbruch?"],
    )

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert protocol.summary == "Hallo Welt\nZeile zwei\tmit Tab\nEnde"
    assert protocol.participants == ["Ada Lovelace", "[31mBob", "Zoë", "👩\u200d💻 Eve"]
    assert protocol.open_questions == ["Frage mit Umbruch?"]
    protocol.model_dump_json().encode()  # no lone surrogate left that could not be stored


def test_items_that_are_empty_after_cleaning_are_dropped() -> None:
    raw = _raw(
        participants=["", "  ", "\x00\x01", "Bob", 7, None],
        decisions=[{"text": " \n ", "source_quote": "x"}, "keine Entscheidung", {}],
        action_items=[{"task": "", "owner": "Bob"}, {"task": "Liste prüfen"}],
        agenda_items=[{"title": "", "notes": ""}, {"title": "", "notes": "Nur Notizen"}],
    )

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert protocol.participants == ["Bob"]
    assert protocol.decisions == []
    assert [item.task for item in protocol.action_items] == ["Liste prüfen"]
    assert protocol.action_items[0].owner == ""
    assert protocol.action_items[0].due_date is None
    assert [item.notes for item in protocol.agenda_items] == ["Nur Notizen"]


def test_over_long_values_are_shortened_at_a_word_boundary_with_a_note() -> None:
    # Never the same words over and over: that would be a loop, cut before it is shortened.
    summary = " ".join(f"Wortlaut{n}" for n in range(400))  # 4,689 characters
    name = "".join(str(n) for n in range(300))[:500]  # no space, and no repeating passage
    raw = _raw(summary=summary, participants=[name, "Bob"], open_questions=["Ok?"])

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert len(protocol.summary) <= LIMITS["summary"]
    assert re.search(r" Wortlaut\d+…$", protocol.summary)  # whole words, then "…"
    assert summary.startswith(protocol.summary[:-1])
    assert protocol.participants[0] == name[: LIMITS["participant"] - 1] + "…"  # no boundary
    assert protocol.participants[1] == "Bob"
    assert protocol.notes == ["2 over-long values were shortened."]


def test_lists_are_cut_to_their_maximum_with_a_note() -> None:
    raw = _raw(participants=[f"Person {n}" for n in range(60)], open_questions=["?"] * 31)

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert len(protocol.participants) == LIMITS["participants"] == 50
    assert protocol.participants[-1] == "Person 49"
    assert len(protocol.open_questions) == 30
    assert protocol.notes == ["11 entries beyond the limit were left out."]


@pytest.mark.parametrize(
    ("due_date", "expected"),
    [
        ("2025-03-07", "2025-03-07"),
        ("07.03.2025", "2025-03-07"),
        ("7.3.2025", "2025-03-07"),
        (" 31.12.2025 ", "2025-12-31"),
        (None, None),
        ("", None),
    ],
)
def test_due_dates_are_coerced_to_iso(due_date: str | None, expected: str | None) -> None:
    raw = _raw(action_items=[{"task": "Prüfen", "due_date": due_date}])

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert protocol.action_items[0].due_date == expected
    assert protocol.notes == []


@pytest.mark.parametrize(
    "due_date",
    ["2025-02-30", "31.02.2025", "2025-13-01", "nächste Woche", "٢٠٢٥-٠٣-٠٧", "2025/03/07"],
)
def test_unreadable_due_dates_become_none_with_a_note(due_date: str) -> None:
    raw = _raw(action_items=[{"task": "Prüfen", "due_date": due_date}])

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert protocol.action_items[0].due_date is None
    assert protocol.notes == ["1 due date could not be read and was removed."]


def test_the_models_reject_values_that_skipped_cleaning() -> None:
    with pytest.raises(ValidationError):
        ActionItem(task="Prüfen", due_date="2025-02-30")
    with pytest.raises(ValidationError):
        ActionItem(task="Prüfen", due_date="7.3.2025")
    with pytest.raises(ValidationError):
        Decision(text="x" * (LIMITS["text"] + 1))
    with pytest.raises(ValidationError):
        ProtocolDraft(summary="x", participants=["A"] * (LIMITS["participants"] + 1))


@pytest.mark.parametrize(
    "quote",
    [
        "die Grüße an Frau Müller",
        "DIE  grüße an\nfrau MÜLLER",
        unicodedata.normalize("NFD", "die Grüße an Frau Müller"),  # decomposed umlauts
        "„die Grüße an Frau Müller“",
        "Ich übernehme den Entwurf des Rundschreibens",  # the transcript has three spaces
        "die grüsse an frau müller",  # ß folds to ss
    ],
)
def test_a_quote_from_the_transcript_is_verified(quote: str) -> None:
    raw = _raw(decisions=[{"text": "Grüße", "source_quote": quote}])

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert protocol.decisions[0].verified is True


@pytest.mark.parametrize(
    "quote",
    [
        "die Grüße an Frau Schmidt",  # not said
        "Grüße … Müller",  # elided
        "Ja, machen wir.",  # said, but too short to prove anything
        "Frau Müller",
        "",
    ],
)
def test_other_quotes_are_kept_but_not_verified(quote: str) -> None:
    raw = _raw(
        decisions=[{"text": "Grüße", "source_quote": quote, "verified": True}],
        action_items=[{"task": "Grüße", "source_quote": quote, "verified": True}],
    )

    protocol = parse_protocol(raw, transcript=TRANSCRIPT)

    assert [d.verified for d in protocol.decisions] == [False]
    assert [a.verified for a in protocol.action_items] == [False]


def test_generation_schema_bounds_every_string_and_array() -> None:
    schema = generation_schema()
    nodes = list(_schema_nodes(schema))
    text = json.dumps(schema)

    assert "$ref" not in text and "$defs" not in text
    assert "verified" not in text and '"notes": {"type": "array"' not in text
    for node in nodes:
        if node.get("type") == "string":
            assert "maxLength" in node or "pattern" in node
            assert node.get("maxLength", 0) < 1000  # llama.cpp's grammar parser refuses more
        if node.get("type") == "array":
            assert "maxItems" in node
        if node.get("type") == "object":
            assert node["required"] == list(node["properties"])
            assert node["additionalProperties"] is False
    assert all(GENERATION_LIMITS[name] <= LIMITS[name] for name in LIMITS)


def test_generation_schema_compiles_into_a_llama_cpp_grammar(tiny_chat_model: Path) -> None:
    import llama_cpp
    from llama_cpp.llama_grammar import LlamaGrammar

    grammar = LlamaGrammar.from_json_schema(json.dumps(generation_schema()))
    llm = llama_cpp.Llama(model_path=str(tiny_chat_model), n_ctx=2048, n_threads=2, verbose=False)

    # The Python converter always succeeds; the native parser is the real test, and a grammar
    # it refuses crashes the sampler instead of raising. So compile it directly first.
    sampler = llama_cpp.llama_sampler_init_grammar(
        llm._model.vocab, grammar._grammar.encode(), grammar._root.encode()
    )
    assert sampler, "llama.cpp refused the grammar"
    llama_cpp.llama_sampler_free(sampler)

    response = llm.create_chat_completion(
        messages=[{"role": "user", "content": "Protokoll, bitte."}],
        max_tokens=1800,
        seed=0,
        response_format={"type": "json_object", "schema": generation_schema()},
    )

    assert response["choices"][0]["finish_reason"] == "stop"
    protocol = parse_protocol(response["choices"][0]["message"]["content"], transcript="")
    assert isinstance(protocol, ProtocolDraft)
    assert len(protocol.summary) <= GENERATION_LIMITS["summary"]


def test_merge_concatenates_dedupes_and_keeps_order() -> None:
    first = ProtocolDraft(
        summary="Teil 1",
        participants=["Alice", "Bob"],
        decisions=[Decision(text="Grüße schicken"), Decision(text="Budget freigeben")],
        open_questions=["Wer zahlt?"],
        notes=["1 over-long value was shortened."],
    )
    second = ProtocolDraft(
        summary="Teil 2",
        participants=["bob", "Rita"],
        decisions=[Decision(text="grüße  SCHICKEN", source_quote="q", verified=True)],
        action_items=[ActionItem(task="Entwurf", owner="Bob")],
        open_questions=["Wer zahlt?", "Wann?"],
        notes=["1 over-long value was shortened."],
    )

    merged = merge_protocols([first, second], summary="Alles\x00 zusammen.")

    assert merged.summary == "Alles zusammen."
    assert merged.participants == ["Alice", "Bob", "Rita"]
    assert [d.text for d in merged.decisions] == ["grüße  SCHICKEN", "Budget freigeben"]
    assert merged.decisions[0].verified is True  # the verified repeat wins, in first place
    assert [a.task for a in merged.action_items] == ["Entwurf"]
    assert merged.open_questions == ["Wer zahlt?", "Wann?"]
    assert merged.notes == ["1 over-long value was shortened."]


def test_merge_respects_the_maximum_sizes() -> None:
    parts = [
        ProtocolDraft(summary=str(n), participants=[f"Person {n}-{i}" for i in range(30)])
        for n in range(2)
    ]

    merged = merge_protocols(parts, summary="Zusammen")

    assert len(merged.participants) == LIMITS["participants"]
    assert merged.participants[-1] == "Person 1-19"
    assert merged.notes == ["10 entries beyond the limit were left out."]


def test_a_looping_model_is_cut_after_the_first_round_with_a_note() -> None:
    looped = "Wir prüfen das Budget. " * 12
    protocol = parse_protocol(
        _raw(summary=f"Kurz: {looped}", open_questions=["Wer, wer, wer, wer, wer?"]),
        transcript=TRANSCRIPT,
    )
    assert protocol.summary == "Kurz: Wir prüfen das Budget. …"
    assert protocol.open_questions == ["Wer, wer, wer, wer, wer?"]  # too short to be a loop
    assert "1 text repeated itself over and over (the model looped); the repetitions were cut." in (
        protocol.notes
    )


def test_sentences_copied_into_every_agenda_item_stay_with_the_first() -> None:
    copied = "Ben Schröder hat zwei Timeouts beim Assistenten gefunden."
    agenda = [
        {"title": "Retrieval", "notes": f"Die Artikelliste kommt als Wissensquelle. {copied}"},
        {"title": "Verlängerung", "notes": f"Der Pilot läuft bis zum 20. November. {copied} Ja."},
        {"title": "Timeouts", "notes": f"{copied}"},
        {"title": "Kantine", "notes": "Ja. Die Kantine ist morgen wieder offen."},
    ]
    protocol = parse_protocol(_raw(agenda_items=agenda), transcript=TRANSCRIPT)

    assert [item.notes for item in protocol.agenda_items] == [
        f"Die Artikelliste kommt als Wissensquelle. {copied}",
        "Der Pilot läuft bis zum 20. November. Ja.",
        "",
        "Ja. Die Kantine ist morgen wieder offen.",  # short sentences may recur
    ]
    assert "2 sentences copied from earlier agenda items were removed." in protocol.notes


def test_due_dates_far_from_the_meeting_are_removed_and_named() -> None:
    items = [
        {"task": f"Aufgabe {n}", "owner": "Bob", "due_date": due}
        for n, due in enumerate(["2830-01-01", "2025-03-07", "2024-01-10", "2027-02-28"])
    ]
    protocol = check_against_meeting(
        parse_protocol(_raw(action_items=items), transcript=TRANSCRIPT),
        meeting_date=date(2025, 3, 3),
        participants=[],
    )
    assert [a.due_date for a in protocol.action_items] == [None, "2025-03-07", None, "2027-02-28"]
    assert (
        "2 due dates lay before the meeting or more than two years after it and were removed: "
        "2830-01-01, 2024-01-10." in protocol.notes
    )


def test_owners_who_are_not_participants_are_flagged_for_the_reviewer() -> None:
    owners = ["Bob", "bob wagner", "Frau Müller", "", "Alice Schneider"]
    items = [{"task": f"Aufgabe {n}", "owner": o} for n, o in enumerate(owners)]
    protocol = parse_protocol(_raw(action_items=items, participants=[]), transcript=TRANSCRIPT)
    flagged = check_against_meeting(
        protocol, meeting_date=None, participants=["Bob Wagner", "Alice Schneider"]
    )
    assert [a.owner_unknown for a in flagged.action_items] == [False, False, True, False, False]
    nobody = parse_protocol(_raw(action_items=items, participants=[]), transcript=TRANSCRIPT)
    nothing_to_compare = check_against_meeting(nobody, meeting_date=None, participants=[])
    assert not any(a.owner_unknown for a in nothing_to_compare.action_items)
