"""Validate what the model wrote into a meeting protocol (schema version 1).

The JSON-schema grammar keeps llama.cpp's output well-formed, but the strings inside are
untrusted: control characters, lone surrogates, junk dates and over-long values all get
through. `parse_protocol` cleans every value, validates the result with pydantic, then marks
which decisions and action items quote the transcript verbatim. Nothing here imports
`llama_cpp`; the model adapter builds its grammar from `generation_schema()`.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from itertools import chain
from typing import Annotated, Any, TypeVar

from django.utils.translation import gettext, ngettext
from pydantic import BaseModel, Field, StringConstraints, ValidationError, field_validator

from assistants.kinds import ResultInvalid
from assistants.rendering import plain

SCHEMA_VERSION = 1

# What a draft may hold, and what the grammar lets the model write: tighter, so a run stays
# bounded in tokens and a generated value always fits into storage. llama-cpp-python spells a
# maxLength of n as n nested optional groups, and llama.cpp refuses a group holding 2000 or
# more rules (about maxLength 1000); the native sampler then segfaults. Keep strings well below.
_LIMITS: dict[str, tuple[int, int]] = {  # name: (storage, generation)
    "summary": (1500, 900), "participants": (50, 30), "participant": (120, 80),
    "agenda_items": (30, 15), "title": (200, 150), "notes": (2000, 800),
    "decisions": (50, 20), "text": (500, 300), "source_quote": (300, 200),
    "action_items": (50, 25), "task": (500, 300), "owner": (120, 80),
    "open_questions": (30, 15), "open_question": (500, 300),
}  # fmt: skip
LIMITS = {name: storage for name, (storage, _) in _LIMITS.items()}
GENERATION_LIMITS = {name: generation for name, (_, generation) in _LIMITS.items()}
MIN_QUOTE_CONTENT = 12  # letters and digits a quote needs before it can count as verified
ISO_DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"

Participant = Annotated[str, StringConstraints(max_length=LIMITS["participant"])]
OpenQuestion = Annotated[str, StringConstraints(max_length=LIMITS["open_question"])]
T = TypeVar("T")


class ProtocolInvalid(ResultInvalid):
    """The model's output is not a usable protocol; the message says why, briefly."""


class AgendaItem(BaseModel):
    title: str = Field(max_length=LIMITS["title"])
    notes: str = Field(default="", max_length=LIMITS["notes"])


class Decision(BaseModel):
    text: str = Field(max_length=LIMITS["text"])
    source_quote: str = Field(default="", max_length=LIMITS["source_quote"])
    verified: bool = False  # set by the server, never by the model


class ActionItem(BaseModel):
    task: str = Field(max_length=LIMITS["task"])
    owner: str = Field(default="", max_length=LIMITS["owner"])
    due_date: str | None = Field(default=None, pattern=ISO_DATE_PATTERN)
    source_quote: str = Field(default="", max_length=LIMITS["source_quote"])
    verified: bool = False  # set by the server, never by the model
    owner_unknown: bool = False  # set by the server: the owner is none of the participants

    @field_validator("due_date")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        if value is not None:
            datetime.date.fromisoformat(value)  # 2025-02-30 matches the pattern but is no date
        return value


class ProtocolDraft(BaseModel):
    """What the model wrote, cleaned and validated: stored as `Protocol.data` for review."""

    summary: str = Field(max_length=LIMITS["summary"])
    participants: list[Participant] = Field(default=[], max_length=LIMITS["participants"])
    agenda_items: list[AgendaItem] = Field(default=[], max_length=LIMITS["agenda_items"])
    decisions: list[Decision] = Field(default=[], max_length=LIMITS["decisions"])
    action_items: list[ActionItem] = Field(default=[], max_length=LIMITS["action_items"])
    open_questions: list[OpenQuestion] = Field(default=[], max_length=LIMITS["open_questions"])
    notes: list[str] = []  # set by the server: what cleaning changed, for the reviewer


def json_string(max_length: int, *, min_length: int = 0) -> dict[str, Any]:
    """Grammar pieces, shared by every document kind: a bounded string, list, object."""
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    return schema | ({"minLength": min_length} if min_length else {})


def json_array(items: dict[str, Any], max_items: int) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": max_items}


def json_object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _string(limit: str, *, min_length: int = 0) -> dict[str, Any]:
    return json_string(GENERATION_LIMITS[limit], min_length=min_length)


def _array(items: dict[str, Any], limit: str) -> dict[str, Any]:
    return json_array(items, GENERATION_LIMITS[limit])


def generation_schema() -> dict[str, Any]:
    """Return the JSON schema for llama.cpp's grammar: model-written fields only, all bounded.

    Inline on purpose (no `$defs`), and `due_date` is ISO-shaped or null, so the model cannot
    spend tokens on prose dates; `parse_protocol` still checks that the date exists.
    """
    quote = _string("source_quote")
    due_date = {"anyOf": [{"type": "string", "pattern": ISO_DATE_PATTERN}, {"type": "null"}]}
    return json_object(
        summary=_string("summary", min_length=1),
        participants=_array(_string("participant", min_length=1), "participants"),
        agenda_items=_array(
            json_object(title=_string("title", min_length=1), notes=_string("notes")),
            "agenda_items",
        ),
        decisions=_array(
            json_object(text=_string("text", min_length=1), source_quote=quote), "decisions"
        ),
        action_items=_array(
            json_object(
                task=_string("task", min_length=1),
                owner=_string("owner"),
                due_date=due_date,
                source_quote=quote,
            ),
            "action_items",
        ),
        open_questions=_array(_string("open_question", min_length=1), "open_questions"),
    )


_ANY_SPACE = re.compile(r"\s")
_OTHER_SPACE = re.compile(r"[^\S\n\t\r\u2028\u2029]")  # plain() makes the line breaks "\n"
_SPACE_RUNS = re.compile(r"(?<=\S) {2,}")  # inside a line only: leading indentation is markdown
_BLANK_LINES = re.compile(r"\n{3,}")
_TYPOGRAPHY = str.maketrans("‘’‚‛“”„‟«»–—", '\'\'\'\'""""""--')
_QUOTE_EDGES = " \"'„“”‚‘’«»….,;:-–"
_GERMAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# A passage of 6–80 characters that comes four times or more in a row: a small model's loop.
_LOOP = re.compile(r"(.{6,80}?)(?:[\s,;]*\1){3,}", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])[ \t]+")
REPEAT_MIN_CHARS = 30  # sentences shorter than this may recur in honest notes
# Due dates further from the meeting than this are not believed (the year 2830, 1970 …).
DUE_BEFORE_MEETING = datetime.timedelta(days=7)
DUE_AFTER_MEETING = datetime.timedelta(days=2 * 365)


def _clean(value: str, *, multiline: bool = False) -> str:
    """Return `value` without control or format characters, its spacing tidied.

    Long text keeps newlines and tabs; everything else becomes one line.
    """
    value = _SPACE_RUNS.sub(" ", plain((_OTHER_SPACE if multiline else _ANY_SPACE).sub(" ", value)))
    if multiline:
        value = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in value.split("\n")))
    return value.strip()


def _shorten(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
    if boundary > limit // 2:  # a word boundary not too far back; else cut mid-word
        cut = cut[:boundary]
    return cut.rstrip() + "…"


def _iso_date(value: str) -> str | None:
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
    elif match := _GERMAN_DATE.fullmatch(value):
        day, month, year = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def match_key(value: str) -> str:
    """Return `value` folded for comparison: same text modulo case, spacing and typography."""
    folded = unicodedata.normalize("NFKC", value).casefold().translate(_TYPOGRAPHY)
    return unicodedata.normalize("NFKC", _clean(folded))


class Cleaner:
    """Clean raw values and count what had to change, for the reviewer's notes.

    `limits` maps a field's name to its storage limit (a protocol's by default)."""

    def __init__(self, limits: dict[str, int] | None = None) -> None:
        self.limits = limits or LIMITS
        self.shortened = self.left_out = self.bad_dates = self.loops = self.repeats = 0

    def text(self, value: object, limit: str, *, multiline: bool = False) -> str:
        cleaned = _clean(value, multiline=multiline) if isinstance(value, str) else ""
        unlooped = _LOOP.sub(r"\1 …", cleaned)
        self.loops += unlooped != cleaned
        cleaned = unlooped
        shortened = _shorten(cleaned, self.limits[limit])
        self.shortened += shortened != cleaned
        return shortened

    def unrepeated(self, text: str, seen: set[str]) -> str:
        """Return `text` without the sentences an earlier item of the list already had.

        A small model tends to copy the same sentences into the notes of every agenda item;
        each keeps the first copy. Short sentences ("Ja.") may recur and are kept.
        """
        kept = []
        for sentence in _SENTENCE_END.split(text):
            key = match_key(sentence)
            if len(key) >= REPEAT_MIN_CHARS and key in seen:
                self.repeats += 1
                continue
            seen.add(key)
            kept.append(sentence)
        return " ".join(kept)

    def date(self, value: object) -> str | None:
        cleaned = _clean(value) if isinstance(value, str) else ""
        iso = _iso_date(cleaned)
        self.bad_dates += bool(cleaned) and iso is None
        return iso

    def cap(self, items: list[T], limit: str) -> list[T]:
        self.left_out += max(0, len(items) - self.limits[limit])
        return items[: self.limits[limit]]

    def items(self, data: dict, key: str, clean_item: Callable[[Any], Any]) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ProtocolInvalid(gettext("“%(key)s” is not a list.") % {"key": key})
        return self.cap([item for item in map(clean_item, value) if item], key)

    def notes(self) -> list[str]:
        counted = (
            (self.shortened, ngettext(
                "%(count)d over-long value was shortened.",
                "%(count)d over-long values were shortened.", self.shortened)),
            (self.left_out, ngettext(
                "%(count)d entry beyond the limit was left out.",
                "%(count)d entries beyond the limit were left out.", self.left_out)),
            (self.bad_dates, ngettext(
                "%(count)d due date could not be read and was removed.",
                "%(count)d due dates could not be read and were removed.", self.bad_dates)),
            (self.repeats, ngettext(
                "%(count)d sentence copied from an earlier agenda item was removed.",
                "%(count)d sentences copied from earlier agenda items were removed.",
                self.repeats)),
            (self.loops, ngettext(
                "%(count)d text repeated itself over and over (the model looped); the "
                "repetitions were cut.",
                "%(count)d texts repeated themselves over and over (the model looped); the "
                "repetitions were cut.", self.loops)),
        )  # fmt: skip
        return [message % {"count": count} for count, message in counted if count]


def _clean_protocol(data: dict, cleaner: Cleaner) -> dict[str, Any]:
    def field(item: object, key: str) -> object:
        return item.get(key) if isinstance(item, dict) else None

    noted: set[str] = set()  # the sentences of earlier agenda items' notes

    def agenda_item(item: object) -> dict | None:
        title = cleaner.text(field(item, "title"), "title")
        notes = cleaner.unrepeated(
            cleaner.text(field(item, "notes"), "notes", multiline=True), noted
        )
        return {"title": title, "notes": notes} if title or notes else None

    def decision(item: object) -> dict | None:
        text = cleaner.text(field(item, "text"), "text")
        quote = cleaner.text(field(item, "source_quote"), "source_quote")
        return {"text": text, "source_quote": quote} if text else None

    def action_item(item: object) -> dict | None:
        task = cleaner.text(field(item, "task"), "task")
        return {
            "task": task,
            "owner": cleaner.text(field(item, "owner"), "owner"),
            "due_date": cleaner.date(field(item, "due_date")),
            "source_quote": cleaner.text(field(item, "source_quote"), "source_quote"),
        } if task else None  # fmt: skip

    return {
        "summary": cleaner.text(data["summary"], "summary", multiline=True),
        "participants": cleaner.items(
            data, "participants", lambda v: cleaner.text(v, "participant")
        ),
        "agenda_items": cleaner.items(data, "agenda_items", agenda_item),
        "decisions": cleaner.items(data, "decisions", decision),
        "action_items": cleaner.items(data, "action_items", action_item),
        "open_questions": cleaner.items(
            data, "open_questions", lambda v: cleaner.text(v, "open_question")
        ),
    }


def quote_key(quote: str) -> str:
    """Return a quote folded like `match_key`, without its quotation marks and "…"
    (they are not the words); look it up in the `match_key` of the transcript."""
    return match_key(quote).strip(_QUOTE_EDGES)


def _quotes_transcript(quote: str, transcript_key: str) -> bool:
    key = quote_key(quote)
    return sum(char.isalnum() for char in key) >= MIN_QUOTE_CONTENT and key in transcript_key


def parse_protocol(raw: str, *, transcript: str) -> ProtocolDraft:
    """Return the protocol in the model's raw JSON output, cleaned, validated and verified.

    Raise `ProtocolInvalid` if it is not a JSON object with a string `summary`, if a list
    field is not a list, or if the cleaned values still break the schema. Decisions and
    action items whose `source_quote` is not in the transcript are kept, with `verified` false.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ProtocolInvalid(gettext("The model's answer is not JSON.")) from error
    if not isinstance(data, dict):
        raise ProtocolInvalid(gettext("The model's answer is not a JSON object."))
    if not isinstance(data.get("summary"), str):
        raise ProtocolInvalid(gettext("The model's answer has no summary."))
    cleaner = Cleaner()
    cleaned = _clean_protocol(data, cleaner)
    try:
        protocol = ProtocolDraft(**cleaned, notes=cleaner.notes())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ProtocolInvalid(f"{where}: {first['msg']}") from error
    return verify_sources(protocol, transcript=transcript)


def _dedupe(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """Return `items` without repeats, in order; a verified repeat replaces an unverified one."""
    kept: dict[Hashable, T] = {}
    for item in items:
        k = key(item)
        if k not in kept or getattr(item, "verified", 0) > getattr(kept[k], "verified", 0):
            kept[k] = item  # reassigning keeps the first position
    return list(kept.values())


def merge_protocols(parts: list[ProtocolDraft], *, summary: str) -> ProtocolDraft:
    """Return one protocol from the partial protocols of a long transcript (map-reduce)."""
    cleaner = Cleaner()

    def merged(field: str, key: Callable[[Any], Hashable]) -> list:
        return cleaner.cap(
            _dedupe(chain.from_iterable(getattr(p, field) for p in parts), key), field
        )

    protocol = ProtocolDraft(
        summary=cleaner.text(summary, "summary", multiline=True),
        participants=merged("participants", match_key),
        agenda_items=merged("agenda_items", lambda a: (match_key(a.title), match_key(a.notes))),
        decisions=merged("decisions", lambda d: match_key(d.text)),
        action_items=merged(
            "action_items", lambda a: (match_key(a.task), match_key(a.owner), a.due_date)
        ),
        open_questions=merged("open_questions", match_key),
    )
    protocol.notes = _dedupe(chain.from_iterable(p.notes for p in parts), str) + cleaner.notes()
    return protocol


def verify_sources(protocol: ProtocolDraft, *, transcript: str) -> ProtocolDraft:
    """Mark each decision and action item whose source quote occurs in `transcript`."""
    transcript_key = match_key(transcript)
    for item in chain(protocol.decisions, protocol.action_items):
        item.verified = _quotes_transcript(item.source_quote, transcript_key)
    return protocol


def check_against_meeting(
    protocol: ProtocolDraft, *, meeting_date: datetime.date | None, participants: list[str]
) -> ProtocolDraft:
    """Remove due dates that cannot belong to this meeting, and flag action items whose
    owner is none of the participants (named on the form or in the protocol)."""
    removed = []
    if meeting_date is not None:
        earliest, latest = meeting_date - DUE_BEFORE_MEETING, meeting_date + DUE_AFTER_MEETING
        for item in protocol.action_items:
            due = datetime.date.fromisoformat(item.due_date) if item.due_date else None
            if due is not None and not earliest <= due <= latest:
                removed.append(item.due_date)
                item.due_date = None
    if removed:
        protocol.notes.append(
            ngettext(
                "A due date lay before the meeting or more than two years after it and was "
                "removed: %(dates)s.",
                "%(count)d due dates lay before the meeting or more than two years after it and "
                "were removed: %(dates)s.",
                len(removed),
            )
            % {"count": len(removed), "dates": ", ".join(removed)}
        )
    names = [*participants, *protocol.participants]
    known = {part for name in names for part in match_key(name).split()}
    for item in protocol.action_items:
        owner = match_key(item.owner).split()
        item.owner_unknown = bool(owner and known) and not set(owner) <= known
    return protocol


def parse_summary(raw: str) -> str:
    """Return the cleaned summary of the reduce step's `{"summary": ...}` answer."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ProtocolInvalid(gettext("The model's answer is not JSON.")) from error
    if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
        raise ProtocolInvalid(gettext("The model's answer has no summary."))
    return Cleaner().text(data["summary"], "summary", multiline=True)


def close_truncated_json(text: str) -> str | None:
    """Complete JSON that stopped at the token limit, keeping every finished value.

    Grammar-constrained output is always a prefix of valid JSON, so it can be closed:
    inside a value string the string is ended; otherwise the text is cut back to the last
    complete value and the open arrays and objects are closed. None if nothing is usable.
    """
    stack: list[str] = []
    expect_key = in_string = escape = is_key = False
    safe: tuple[int, str] | None = None

    def closers() -> str:
        return "".join("}" if opener == "{" else "]" for opener in reversed(stack))

    for index, char in enumerate(text):
        if in_string:
            if escape:
                escape = False
            elif char == "\\":
                escape = True
            elif char == '"':
                in_string = False
                if not is_key:
                    safe = (index + 1, closers())
            continue
        if char == '"':
            in_string, is_key = True, bool(stack) and stack[-1] == "{" and expect_key
        elif char in "{[":
            stack.append(char)
            expect_key = char == "{"
        elif char in "}]" and stack:
            stack.pop()
            expect_key = False
            safe = (index + 1, closers())
        elif char == "," and stack:
            safe = (index, closers())
            expect_key = stack[-1] == "{"
        elif char == ":":
            expect_key = False
    if in_string and not is_key:
        body = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", text)  # drop a half-written escape
        return body + '"' + closers()
    if safe is None:
        return None
    return text[: safe[0]] + safe[1]


def clean_edit(section: str, values: dict[str, str]) -> dict[str, str | None]:
    """Clean what a person typed into an item like model output; raise if a date is bad.

    `section` is "decisions" or "action_items"; the same length limits apply.
    """
    cleaner = Cleaner()
    cleaned: dict[str, str | None] = {}
    for field, value in values.items():
        if field == "due_date":
            cleaned[field] = cleaner.date(value) if value else None
            if value and cleaned[field] is None:
                raise ProtocolInvalid(gettext("Enter the due date as YYYY-MM-DD or DD.MM.YYYY."))
        else:
            cleaned[field] = cleaner.text(value, field)
    return cleaned
