"""Turns from segments: cut at pauses and after 90 seconds; the text the protocol reads."""

from __future__ import annotations

import pytest

from assistants.speech.engine import Segment
from assistants.speech.turns import clean_speaker, clock, protocol_text, turns_from_segments


def test_a_pause_of_a_second_and_a_half_starts_a_new_turn() -> None:
    turns = turns_from_segments(
        [
            Segment(0.0, 4.9, "Guten Morgen."),
            Segment(5.3, 8.9, "Heute geht es um den Pilot."),  # 0.4 s: the same turn
            Segment(11.5, 17.7, "Danke, Anna."),  # 2.6 s: someone else, likely
        ]
    )

    assert [(t["start"], t["end"], t["text"]) for t in turns] == [
        (0.0, 8.9, "Guten Morgen. Heute geht es um den Pilot."),
        (11.5, 17.7, "Danke, Anna."),
    ]
    assert all(t["speaker"] == "" for t in turns)


def test_a_long_monologue_is_cut_into_turns_of_at_most_90_seconds() -> None:
    segments = [Segment(float(s), s + 9.5, f"Satz {s}.") for s in range(0, 300, 10)]

    turns = turns_from_segments(segments)

    assert len(turns) == 4 and all(t["end"] - t["start"] <= 90 for t in turns)
    assert " ".join(t["text"] for t in turns) == " ".join(s.text for s in segments)


def test_the_protocol_reads_named_turns_as_name_colon_text() -> None:
    turns = [
        {"start": 0, "end": 1, "speaker": "Anna Müller", "text": "Guten Morgen."},
        {"start": 2, "end": 3, "speaker": "", "text": "Ohne Namen."},
        {"start": 4, "end": 5, "speaker": "Bernd", "text": ""},
    ]

    assert protocol_text(turns) == "Anna Müller: Guten Morgen.\n\nOhne Namen."


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "00:00"), (75.9, "01:15"), (3599, "59:59"), (3725, "01:02:05")]
)
def test_clock(seconds, shown) -> None:
    assert clock(seconds) == shown


def test_speaker_names_are_one_line_without_colon() -> None:
    assert clean_speaker("  Anna\u200b  Müller\n") == "Anna Müller"
    for bad in ("Anna: Müller", "A" * 61):
        with pytest.raises(ValueError):
            clean_speaker(bad)
