"""Split a long transcript on speaker and paragraph boundaries into parts that fit."""

from __future__ import annotations

import re
from collections.abc import Callable

_SPEAKER_LINE = re.compile(r"^\s*[\w .'-]{1,60}:\s", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def segments(text: str) -> list[str]:
    """Return paragraphs, also starting a new one at each speaker line ("Name: ...")."""
    result: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or (_SPEAKER_LINE.match(line) and current):
            if current:
                result.append("\n".join(current))
            current = [line] if line.strip() else []
        else:
            current.append(line)
    if current:
        result.append("\n".join(current))
    return result


def split_transcript(text: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """Pack segments greedily into parts of at most `max_tokens` tokens.

    A segment that alone is too long is split into sentences, and a sentence that is
    still too long into words: nothing is dropped.
    """
    parts: list[str] = []
    current: list[str] = []
    current_tokens = 0
    for piece in _fitting_pieces(segments(text), max_tokens, count):
        tokens = count(piece) + 1
        if current and current_tokens + tokens > max_tokens:
            parts.append("\n".join(current))
            current, current_tokens = [], 0
        current.append(piece)
        current_tokens += tokens
    if current:
        parts.append("\n".join(current))
    return parts


def _fitting_pieces(pieces: list[str], max_tokens: int, count: Callable[[str], int]) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        if count(piece) <= max_tokens:
            out.append(piece)
            continue
        sentences = _SENTENCE_END.split(piece)
        if len(sentences) > 1:
            out.extend(_fitting_pieces(sentences, max_tokens, count))
            continue
        words, chunk = [w for word in piece.split(" ") for w in _cut(word, max_tokens, count)], []
        for word in words:
            if chunk and count(" ".join([*chunk, word])) > max_tokens:
                out.append(" ".join(chunk))
                chunk = []
            chunk.append(word)
        if chunk:
            out.append(" ".join(chunk))
    return out


def _cut(word: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """Cut a single over-long "word" (a URL, a pasted blob) into slices that fit."""
    tokens = count(word)
    if tokens <= max_tokens:
        return [word]
    size = max(1, len(word) * max_tokens // (tokens + 1))
    return [word[i : i + size] for i in range(0, len(word), size)]
