"""Output cut at the token limit is closed at the last finished value, never invented."""

from __future__ import annotations

import json

import pytest

from assistants.schema import close_truncated_json

FULL = json.dumps(
    {
        "summary": 'Pilot "beschlossen"',
        "participants": ["Anna", "Bernd"],
        "decisions": [{"text": "Start", "source_quote": "Wir starten"}],
        "action_items": [],
        "open_questions": ["Wann?"],
    },
    ensure_ascii=False,
)


def test_every_prefix_closes_to_valid_json() -> None:
    for cut in range(2, len(FULL) + 1):
        closed = close_truncated_json(FULL[:cut])
        if closed is not None:
            data = json.loads(closed)  # never raises
            assert isinstance(data, dict)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ('{"summary": "Pilot beschl', {"summary": "Pilot beschl"}),
        (
            '{"summary": "A", "participants": ["Anna", "Ber',
            {"summary": "A", "participants": ["Anna", "Ber"]},
        ),
        (
            '{"summary": "A", "participants": ["Anna"], "decisions": [{"text": "X", "sou',
            {"summary": "A", "participants": ["Anna"], "decisions": [{"text": "X"}]},
        ),
        ('{"summary": "A\\u00', {"summary": "A"}),
        ('{"summary": "A\\', {"summary": "A"}),
        ('{"sum', None),
    ],
)
def test_cut_points(prefix: str, expected: dict | None) -> None:
    closed = close_truncated_json(prefix)
    assert (json.loads(closed) if closed is not None else None) == expected
