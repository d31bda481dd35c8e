"""Caption files as Teams, Zoom and hand-edited SRT write them (tests/data/captions/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from assistants.captions import parse_captions, parse_time
from assistants.ingest import decode_text, transcript_from_upload

DATA = Path(__file__).resolve().parents[1] / "data" / "captions"
CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_each_tricky_export_gives_its_speakers_and_text(case: dict) -> None:
    data = (DATA / case["file"]).read_bytes()
    with translation.override("en"):
        text = transcript_from_upload(case["file"], data)
        captions = parse_captions(decode_text(data))
    assert text == case["text"], case["issue"]
    assert captions.speakers == case["speakers"], case["issue"]
    if "starts" in case:
        named = [turn.start for turn in captions.turns]
        assert named[: len(case["starts"])] == pytest.approx(case["starts"])
    assert "-->" not in text


def test_every_file_of_the_corpus_is_a_case() -> None:
    files = {p.name for p in DATA.iterdir() if p.suffix in (".vtt", ".srt")}
    assert files == {case["file"] for case in CASES}


def test_id_speakers_are_numbered_in_german_by_default() -> None:
    data = (DATA / "voice_ids.vtt").read_bytes()
    with translation.override("de"):
        assert parse_captions(decode_text(data)).speakers == [
            "Sprecher 1",
            "Sprecher 2",
            "Sprecher 3",
        ]


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("00:00:05.120 --> 00:00:08.400", 5.12),
        ("0:0:5.120 --> 0:0:8.400", 5.12),
        ("01:02:03 --> 01:02:04", 3723.0),
        ("00:00:01,5 --> 00:00:02,000", 1.5),
        ("12:34.567 --> 12:35.000 align:start", 754.567),
        ("00:00:xx,000 --> 00:00:04,000", None),
        ("00:61:00.000 --> 00:62:00.000", None),
        ("-->", None),
    ],
)
def test_timing_lines_parse_leniently(line: str, seconds: float | None) -> None:
    assert parse_time(line) == (pytest.approx(seconds) if seconds is not None else None)


def test_a_long_export_keeps_every_turn_and_stays_linear() -> None:
    cues = [
        f"{i}\n00:{i // 60 % 60:02d}:{i % 60:02d}.000 --> 00:{i // 60 % 60:02d}:{i % 60:02d}.900\n"
        f"<v {'Anna' if i % 3 else 'Ben'}>Satz {i}.</v>"
        for i in range(1, 5001)
    ]
    captions = parse_captions("WEBVTT\n\n" + "\n\n".join(cues))
    assert captions.cues == 5000
    assert sum(turn.text.count("Satz") for turn in captions.turns) == 5000
    assert captions.speakers == ["Anna", "Ben"]
