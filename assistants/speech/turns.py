"""From Whisper's segments to turns people can read, name and correct; and back to text.

No package on the registries tells voices apart offline, so turns are cut at pauses: a
silence of PAUSE_SECONDS or more starts a new turn, and so does a turn growing past
MAX_TURN_SECONDS. People then give each turn its speaker, or rename a speaker everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from assistants.speech.engine import Segment

PAUSE_SECONDS = 1.5
MAX_TURN_SECONDS = 90.0
SPEAKER_MAX = 60
TURN_TEXT_MAX = 5000


def turns_from_segments(segments: Iterable[Segment]) -> list[dict]:
    turns: list[dict] = []
    for segment in segments:
        last = turns[-1] if turns else None
        if (
            last is None
            or segment.start - last["end"] >= PAUSE_SECONDS
            or segment.end - last["start"] > MAX_TURN_SECONDS
        ):
            turns.append(
                {"start": segment.start, "end": segment.end, "speaker": "", "text": segment.text}
            )
        else:
            last["end"] = segment.end
            last["text"] = f"{last['text']} {segment.text}"
    return turns


def clock(seconds: float) -> str:
    """ "01:02:03" or "02:03": a position in the recording."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def clean_speaker(value: str) -> str:
    """A speaker's name as typed, or ValueError: one line, no colon (it would start a turn
    in the protocol's text), at most SPEAKER_MAX characters."""
    name = " ".join(_printable(value).split())
    if ":" in name or len(name) > SPEAKER_MAX:
        raise ValueError(name)
    return name


def clean_text(value: str) -> str:
    text = " ".join(_printable(value).split())
    if len(text) > TURN_TEXT_MAX:
        raise ValueError(text)
    return text


def _printable(value: str) -> str:
    return "".join(c if unicodedata.category(c)[0] != "C" else " " for c in value)


def protocol_text(turns: list[dict]) -> str:
    """The text the protocol generator reads: one paragraph per turn, "Name: text" where a
    speaker was given (the form's reader turns those into speaker turns)."""
    lines = []
    for turn in turns:
        if not turn["text"]:
            continue
        lines.append(f"{turn['speaker']}: {turn['text']}" if turn["speaker"] else turn["text"])
    return "\n\n".join(lines)
