"""Caption files (WebVTT, SRT) as exported by Teams, Zoom, Webex and Google Meet → speaker turns.

Our own reader, after the WebVTT parsing algorithm (W3C WebVTT §6.1) and relaxed where real
exports break it. A maintained library was considered: webvtt-py and pysubs2 parse cues and
timings well, but they refuse or mangle what the exports we must read contain (Teams
timings without padding or milliseconds, LF-CR line ends, cue text with `Name:` prefixes
that are sometimes a speaker and sometimes not), and neither maps voice ids to people. The
algorithm's part we need is small, so it lives here with its corpus
(tests/data/captions/). What it does:

- NUL becomes U+FFFD; CRLF, CR, LF and LF-CR line ends all work;
- the WEBVTT header block (with `Kind:`, `Language:`, `Region:` lines) and NOTE, STYLE and
  REGION blocks are no speech;
- a line containing "-->" is a timing line, never text, whether its times parse or not
  ("0:0:5.120", "00:00:01", "00:00:01,000", "00:00:xx"), and so is a pair of times with
  another arrow ("->"); the cue identifier before it goes too;
- voice tags `<v Name>` name the speaker; a name that is an id (a GUID, an address, a
  number, over 60 characters) becomes "Speaker 1…n", in order of appearance, to be renamed;
- `Name: text` starts a turn of Name only where the file is written that way (most cues
  do it) or the name recurs: "Erstens: das Budget steht." once is speech, not a speaker;
- markup goes (`<i>`, `<c.x>`, `<00:00:01.000>`, `{\\an8}`), entities are resolved, SRT's
  `\\N` and `\\h` become a line break and a space.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

ARROW = "-->"
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
# Not WebVTT, but what hand-edited SRT files have: "00:00:04,000 -> 00:00:06,000".
_LOOSE_TIMING = re.compile(rf"^\s*{_TIME}\s*[-–—]+>\s*{_TIME}")
_HEADER = re.compile(r"^\ufeff?WEBVTT(?:[ \t].*)?$")
_NON_CUE_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_CUE_ID_LIKE = re.compile(r"^\S*\d\S*$")  # "17", a Teams GUID: no spaces, some digit
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>|<\d[\d:.]*>|\{\\[^}\n]*\}")
_SRT_ESCAPES = {"\\N": "\n", "\\n": "\n", "\\h": " "}
_NAME_PREFIX = re.compile(r"^([^\W\d_][^:\n]{0,59}?):\s+(\S.*)$")
_ID_LIKE = re.compile(r"@|^\d|^[0-9a-f]{8}-[0-9a-f]{4}-|^[0-9a-f-]{20,}$", re.IGNORECASE)
MAX_NAME = 60
MAX_NAME_WORDS = 5
NAME_PREFIX_SHARE = 0.5  # of the cues: above it, the file names its speakers this way


@dataclass
class Turn:
    speaker: str | None
    text: str
    start: float | None = None  # seconds from the start, where the cue's timing said so


@dataclass
class Captions:
    turns: list[Turn] = field(default_factory=list)
    cues: int = 0

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(t.speaker for t in self.turns if t.speaker))

    def text(self) -> str:
        """One line per turn, "Name: text" where the speaker is known."""
        return "\n".join(f"{t.speaker}: {t.text}" if t.speaker else t.text for t in self.turns)


def normalise_lines(text: str) -> list[str]:
    """NUL → U+FFFD, any line end → one break (LF-CR too, which would double every line)."""
    text = text.replace("\x00", "\ufffd").lstrip("\ufeff")
    first = text.find("\n")
    if first >= 0 and text[first + 1 : first + 2] == "\r" and text[first - 1 : first] != "\r":
        text = text.replace("\n\r", "\n")  # the first line ends in LF-CR: all of them do
    return re.split(r"\r\n|\r|\n", text)


def parse_time(line: str) -> float | None:
    """Return the start of a timing line in seconds, None where it does not parse."""
    if not (match := _TIMING.match(line)):
        return None
    hours, minutes, seconds, fraction = match.groups()[:4]
    if int(seconds) > 59 or (hours and int(minutes) > 59):
        return None
    fraction = (fraction or "0").ljust(3, "0")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction) / 1000


def parse_captions(text: str) -> Captions:
    """Return the speaker turns of a WebVTT or SRT file's text."""
    cues = list(_cues(normalise_lines(text)))
    segments = [(start, list(_segments(lines))) for start, lines in cues]
    prefixes = _speaker_prefixes(segments)
    captions = Captions(cues=len(cues))
    ids: dict[str, str] = {}
    for start, cue in segments:
        current = None  # a line without a name continues the cue's last speaker
        for voice, line in cue:
            speaker = _speaker_name(voice, ids) if voice is not None else None
            match = _NAME_PREFIX.match(line) if speaker is None else None
            if match and match[1] in prefixes:
                speaker, line = match[1], match[2]
            current = speaker or current
            _add(captions.turns, current, line, start)
    return captions


def _cues(lines: list[str]):
    """Yield (start seconds, text lines) per cue; blocks of text without timing as they are."""
    position = 0
    if lines and _HEADER.match(lines[0]):
        # The header block: WEBVTT and its metadata lines, up to a blank or a timing line.
        while position < len(lines) and lines[position].strip() and ARROW not in lines[position]:
            position += 1
    block: list[str] = []
    for line in [*lines[position:], ""]:
        if line.strip():
            block.append(line)
            continue
        if block and not _NON_CUE_BLOCK.match(block[0]):
            yield from _block_cues(block)
        block = []


def _block_cues(block: list[str]):
    """A block is normally [id], timing, text…; a file missing blank lines has several."""
    start: float | None = None
    text: list[str] = []
    timed = False
    for index, line in enumerate(block):
        if ARROW not in line and not _LOOSE_TIMING.match(line):
            text.append(line)
            continue
        # The line before a timing line is the cue's identifier: at the block's start
        # always, further down only if it looks like one, so no spoken line is dropped.
        if text and (index == 1 or _CUE_ID_LIKE.match(text[-1].strip())):
            text.pop()
        if text:
            yield start, text
        start, text, timed = parse_time(line), [], True
    if text:
        yield (start if timed else None), text


def _segments(lines: list[str]):
    """Yield (voice or None, line) for a cue's text: voices split it, markup goes."""
    text = "\n".join(lines)
    for escape, replacement in _SRT_ESCAPES.items():
        text = text.replace(escape, replacement)
    voice: str | None = None
    pieces = _VOICE.split(text)  # text, name, text, name, text …
    for index, piece in enumerate(pieces):
        if index % 2:
            voice = " ".join((piece or "").split())
            continue
        piece = html.unescape(_TAG.sub("", piece)).replace("\u200e", "").replace("\u200f", "")
        for line in piece.split("\n"):
            if line := " ".join(line.replace("\xa0", " ").split()):
                yield voice, line


def _speaker_prefixes(segments) -> set[str]:
    """The `Name:` prefixes that name speakers in this file (see the module's docstring)."""
    counts: dict[str, int] = {}
    prefixed = 0
    for _start, cue in segments:
        names = {
            match[1]
            for voice, line in cue
            if voice is None and (match := _NAME_PREFIX.match(line)) and _name_like(match[1])
        }
        prefixed += bool(names)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    if segments and prefixed > len(segments) * NAME_PREFIX_SHARE:
        return set(counts)
    return {name for name, count in counts.items() if count >= 2}


def _name_like(name: str) -> bool:
    return len(name.split()) <= MAX_NAME_WORDS and not name.endswith(("http", "https"))


def _speaker_name(voice: str, ids: dict[str, str]) -> str | None:
    """A voice's name as shown: ids become "Speaker n" (the same id, the same number)."""
    name = voice.replace(":", " ").strip()
    if not name:
        return None
    if len(name) > MAX_NAME or _ID_LIKE.search(name):
        if name not in ids:
            ids[name] = _("Speaker %(n)d") % {"n": len(ids) + 1}
        return ids[name]
    return name


def _add(turns: list[Turn], speaker: str | None, line: str, start: float | None) -> None:
    # An unnamed line never joins a named turn: guessing who spoke would put words in a mouth.
    if turns and turns[-1].speaker == speaker:
        turns[-1].text = f"{turns[-1].text} {line}"
    else:
        turns.append(Turn(speaker, line, start))


def text_speakers(text: str) -> list[tuple[str, int]]:
    """The speakers of a plain transcript ("Name: text" lines) with their turns, in order.

    The same rule as for caption files: a name counts where most lines are written that way
    or where it recurs.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    names = [
        m[1] if (m := _NAME_PREFIX.match(line)) and _name_like(m[1]) else None for line in lines
    ]
    counts: dict[str, int] = {}
    for name in names:
        if name:
            counts[name] = counts.get(name, 0) + 1
    prefixed = sum(1 for name in names if name)
    if not (lines and prefixed > len(lines) * NAME_PREFIX_SHARE):
        counts = {name: n for name, n in counts.items() if n >= 2}
    return list(counts.items())


def rename_speakers(text: str, names: dict[str, str]) -> str:
    """Replace speaker names at the start of lines ("Sprecher 1: …" → "Anna Müller: …")."""
    if not names:
        return text
    out = []
    for line in text.split("\n"):
        name, colon, rest = line.partition(": ")
        out.append(f"{names[name]}: {rest}" if colon and name in names else line)
    return "\n".join(out)
