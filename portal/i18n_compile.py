"""Compile gettext catalogues (.po) into binary .mo files, in pure Python.

The portal ships its compiled .mo files, so neither the running portal nor the tests need
GNU gettext; `makemessages` (which calls xgettext) is only needed to extract new strings.

    python -m portal.i18n_compile locale

compiles every `locale/*/LC_MESSAGES/*.po` into the .mo file beside it. The output follows
`msgfmt` (GNU gettext-tools): fuzzy and untranslated entries are left out, the header entry
is kept even when it is marked fuzzy, and a hash table is written so that C programs using
libintl can look strings up too. The output depends only on the .po file (byte-identical
across runs and machines).
"""

from __future__ import annotations

import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

MO_MAGIC = 0x950412DE
_HEADER_SIZE = 28  # seven 32-bit words
_CONTEXT_SEPARATOR = "\x04"
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "?": "?",
}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)", re.DOTALL)
_KEYWORD_RE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*)$")
_CHARSET_RE = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")


class PoSyntaxError(ValueError):
    """The .po text is malformed; the message names the line."""


@dataclass
class PoEntry:
    """One message of a catalogue; `msgstr` holds one string per plural form."""

    msgid: str
    msgstr: list[str]
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        """Return whether the first (or only) form is filled in; msgfmt skips the entry if not."""
        return bool(self.msgstr and self.msgstr[0])


def _unescape(quoted: str, line: int) -> str:
    """Return the content of one C-style string literal `"..."`."""
    if len(quoted) < 2 or not (quoted.startswith('"') and quoted.endswith('"')):
        raise PoSyntaxError(f"line {line}: expected a quoted string, got {quoted!r}")
    body = quoted[1:-1]
    if re.search(r'(?<!\\)(?:\\\\)*"', body):
        raise PoSyntaxError(f"line {line}: unescaped quote inside {quoted!r}")

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        # Numeric escapes are taken as code points: msgfmt means bytes, which only differs
        # above 0x7F, and nobody writes UTF-8 byte by byte in a .po file.
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        raise PoSyntaxError(f"line {line}: unknown escape sequence \\{code}")

    return _ESCAPE_RE.sub(replace, body)


class _Builder:
    """Collect the fields of the entry being read, line by line."""

    def __init__(self) -> None:
        self.entries: list[PoEntry] = []
        self._reset()

    def _reset(self) -> None:
        self.fields: dict[str, str] = {}
        self.plural_forms: dict[int, str] = {}
        self.flags: set[str] = set()
        self.current: tuple[str, int | None] | None = None
        self.start_line = 0

    def start(self, keyword: str, index: int | None, line: int) -> None:
        # A msgctxt or msgid after a msgstr begins the next entry.
        if keyword in ("msgctxt", "msgid") and self.has_msgstr():
            self.finish(line)
        if keyword == "msgid" and "msgid" in self.fields:
            raise PoSyntaxError(f"line {line}: msgid without msgstr before it")
        if not self.fields and not self.plural_forms:
            self.start_line = line
        if index is None:
            if keyword in self.fields:
                raise PoSyntaxError(f"line {line}: {keyword} appears twice in one entry")
            self.fields[keyword] = ""
        else:
            if index in self.plural_forms:
                raise PoSyntaxError(f"line {line}: msgstr[{index}] appears twice in one entry")
            self.plural_forms[index] = ""
        self.current = (keyword, index)

    def append(self, text: str, line: int) -> None:
        if self.current is None:
            raise PoSyntaxError(f"line {line}: string continuation outside an entry")
        keyword, index = self.current
        if index is None:
            self.fields[keyword] += text
        else:
            self.plural_forms[index] += text

    def has_msgstr(self) -> bool:
        return "msgstr" in self.fields or bool(self.plural_forms)

    def finish(self, line: int) -> None:
        """Close the entry being read, if any, and start collecting the next one."""
        if not self.fields and not self.plural_forms:
            return
        where = self.start_line or line
        if "msgid" not in self.fields or not self.has_msgstr():
            raise PoSyntaxError(f"line {where}: entry needs both msgid and msgstr")
        plural = self.fields.get("msgid_plural")
        if plural is None:
            if self.plural_forms:
                raise PoSyntaxError(f"line {where}: msgstr[n] without msgid_plural")
            msgstr = [self.fields["msgstr"]]
        else:
            if "msgstr" in self.fields:
                raise PoSyntaxError(f"line {where}: msgid_plural needs msgstr[n], not msgstr")
            indexes = sorted(self.plural_forms)
            if indexes != list(range(len(indexes))):
                raise PoSyntaxError(f"line {where}: plural forms must be msgstr[0], [1], ...")
            msgstr = [self.plural_forms[i] for i in indexes]
        self.entries.append(
            PoEntry(
                msgid=self.fields["msgid"],
                msgstr=msgstr,
                msgctxt=self.fields.get("msgctxt"),
                msgid_plural=plural,
                flags=self.flags,
                line=where,
            )
        )
        self._reset()


def parse_po(text: str) -> list[PoEntry]:
    """Return the entries of a .po file's text, in file order; obsolete (#~) ones are dropped.

    Raise PoSyntaxError for malformed input and for duplicate messages (as msgfmt does).
    """
    builder = _Builder()
    # Split on newlines only: str.splitlines() would also break at U+2028 and friends.
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip(" \t\r\f\v")
        if not line:
            continue
        if line.startswith("#"):
            if builder.has_msgstr():
                builder.finish(number)
            if line.startswith("#,"):
                builder.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue  # other comments, previous msgids (#|) and obsolete entries (#~)
        if line.startswith('"'):
            builder.append(_unescape(line, number), number)
            continue
        match = _KEYWORD_RE.match(line)
        if not match:
            raise PoSyntaxError(f"line {number}: cannot parse {raw!r}")
        keyword, index, quoted = match.groups()
        keyword = "msgstr" if keyword.startswith("msgstr[") else keyword
        plural_index = int(index) if index is not None else None
        builder.start(keyword, plural_index, number)
        builder.append(_unescape(quoted, number), number)
    builder.finish(len(lines))

    seen: dict[tuple[str | None, str], int] = {}
    for entry in builder.entries:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            raise PoSyntaxError(
                f"line {entry.line}: duplicate message {entry.msgid!r} (first at line {seen[key]})"
            )
        seen[key] = entry.line
    return builder.entries


def _hash_string(data: bytes) -> int:
    """Return libintl's hash of a key (hashpjw, as computed with a 64-bit unsigned long)."""
    value = 0
    for byte in data:
        value = ((value << 4) + byte) & 0xFFFFFFFFFFFFFFFF
        high = value & (0xF << 28)
        if high:
            value ^= high >> 24
            value ^= high
    return value & 0xFFFFFFFF


def _hash_table_size(count: int) -> int:
    """Return msgfmt's hash table size for `count` messages.

    msgfmt takes the next "prime" from 4/3 of the count, with a primality test that only
    tries odd divisors from 3 (so 3 itself is skipped), and at least 3 slots.
    """
    size = (count * 4 // 3) | 1
    while True:
        divisor = 3
        while divisor * divisor < size and size % divisor:
            divisor += 2
        if size % divisor:
            break
        size += 2
    return max(size, 3)


def _hash_table(keys: list[bytes]) -> list[int]:
    """Return the open-addressing table libintl probes: slot -> 1 + index of the key, 0 empty."""
    size = _hash_table_size(len(keys))
    table = [0] * size
    for index, key in enumerate(keys):
        hashed = _hash_string(key.split(b"\0", 1)[0])  # a plural key hashes as its msgid
        slot = hashed % size
        if table[slot]:
            step = 1 + hashed % (size - 2)
            while table[slot]:
                slot = slot - (size - step) if slot >= size - step else slot + step
        table[slot] = index + 1
    return table


def _without_creation_date(header: str) -> str:
    """Drop the POT-Creation-Date field, which changes on every extraction (msgfmt does too)."""
    lines = header.split("\n")
    return "\n".join(line for line in lines if not line.startswith("POT-Creation-Date:"))


def compile_entries(entries: list[PoEntry], *, charset: str = "utf-8") -> bytes:
    """Return the .mo bytes for `entries`, leaving out fuzzy and untranslated messages."""
    messages: dict[bytes, bytes] = {}
    for entry in entries:
        if not entry.translated or (entry.fuzzy and not entry.is_header):
            continue
        key = entry.msgid
        if entry.msgctxt is not None:
            key = entry.msgctxt + _CONTEXT_SEPARATOR + key
        if entry.msgid_plural is not None:
            key += "\0" + entry.msgid_plural
        msgstr = entry.msgstr
        if entry.is_header:
            msgstr = [_without_creation_date(msgstr[0])]
        messages[key.encode(charset)] = "\0".join(msgstr).encode(charset)

    keys = sorted(messages)
    values = [messages[key] for key in keys]
    hash_table = _hash_table(keys)
    count = len(keys)
    originals_at = _HEADER_SIZE
    translations_at = originals_at + 8 * count
    hash_at = translations_at + 8 * count
    offset = hash_at + 4 * len(hash_table)

    descriptors: list[int] = []
    for string in (*keys, *values):
        descriptors += [len(string), offset]
        offset += len(string) + 1  # every string is followed by a NUL byte
    header = struct.pack(
        "<7I", MO_MAGIC, 0, count, originals_at, translations_at, len(hash_table), hash_at
    )
    body = struct.pack(f"<{len(descriptors)}I", *descriptors)
    hashes = struct.pack(f"<{len(hash_table)}I", *hash_table)
    strings = b"".join(string + b"\0" for string in (*keys, *values))
    return header + body + hashes + strings


def compile_po(po_path: Path | str) -> bytes:
    """Return the .mo bytes for the .po file at `po_path` (decoded with its own charset)."""
    raw = Path(po_path).read_bytes()
    match = _CHARSET_RE.search(raw)
    charset = match.group(1).decode("ascii") if match else "utf-8"
    if charset.upper() == "CHARSET":  # the placeholder of a fresh template
        charset = "utf-8"
    try:
        entries = parse_po(raw.decode(charset))
    except PoSyntaxError as e:
        raise PoSyntaxError(f"{po_path}: {e}") from None
    return compile_entries(entries, charset=charset)


def compile_locale_dir(locale_dir: Path | str) -> list[Path]:
    """Compile every `<locale_dir>/*/LC_MESSAGES/*.po`; return the .mo files that changed."""
    changed: list[Path] = []
    for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        data = compile_po(po_path)
        if not mo_path.exists() or mo_path.read_bytes() != data:
            mo_path.write_bytes(data)
            changed.append(mo_path)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m portal.i18n_compile LOCALE_DIR", file=sys.stderr)
        return 2
    locale_dir = Path(argv[0])
    if not locale_dir.is_dir():
        print(f"{locale_dir} is not a directory", file=sys.stderr)
        return 2
    try:
        changed = compile_locale_dir(locale_dir)
    except (PoSyntaxError, UnicodeDecodeError, LookupError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for mo_path in changed:
        print(f"compiled {mo_path}")
    if not changed:
        print(f"all .mo files in {locale_dir} are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
