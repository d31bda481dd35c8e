"""Translations: the German catalogue is complete, compiled, and covers every source string.

The compiler is ours (portal/i18n_compile.py), so the portal and these tests run without
GNU gettext; only the extraction check needs xgettext, as `makemessages` does.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from portal.i18n_compile import PoEntry, compile_po, parse_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale"
GERMAN_PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"
SOURCE_DIRS = ("portal", "rollout", "assistants", "newsletter", "templates", "locale")

# %(name)s, %s, %d, {{ var }} and {field}; "%%" is a literal percent sign, not a placeholder.
_PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\{ *[\w.]+ *\}\}|\{\w*\}")


def _placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER_RE.findall(text.replace("%%", "")))


def _label(entry: PoEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt is not None else ""
    return f"line {entry.line}: {context}{entry.msgid!r}"


def _german_entries() -> list[PoEntry]:
    return parse_po(GERMAN_PO.read_text(encoding="utf-8"))


def _message_keys(entries: list[PoEntry]) -> set[tuple[str | None, str, str | None]]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in entries if not e.is_header}


def test_german_header_declares_two_plural_forms() -> None:
    header = next(entry for entry in _german_entries() if entry.is_header)
    assert not header.fuzzy
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr[0]


def test_every_german_message_is_translated_with_the_same_placeholders() -> None:
    problems: list[str] = []
    entries = [entry for entry in _german_entries() if not entry.is_header]
    assert entries, "the German catalogue has no messages"
    for entry in entries:
        if entry.fuzzy:
            problems.append(f"{_label(entry)} is marked fuzzy")
        if entry.msgid_plural is not None and len(entry.msgstr) != 2:
            problems.append(f"{_label(entry)} needs exactly two plural forms")
        for index, translation in enumerate(entry.msgstr):
            source = entry.msgid if index == 0 else (entry.msgid_plural or entry.msgid)
            if not translation.strip():
                problems.append(f"{_label(entry)} has no German translation (form {index})")
            elif _placeholders(translation) != _placeholders(source):
                problems.append(
                    f"{_label(entry)}: placeholders {sorted(_placeholders(translation))} "
                    f"differ from {sorted(_placeholders(source))}"
                )
    assert not problems, "\n".join(problems)


def test_committed_mo_files_match_their_po_files() -> None:
    po_files = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
    assert GERMAN_PO in po_files
    stale = [
        str(po.relative_to(ROOT))
        for po in po_files
        if not po.with_suffix(".mo").is_file()
        or po.with_suffix(".mo").read_bytes() != compile_po(po)
    ]
    assert not stale, f"run `python -m portal.i18n_compile locale`; out of date: {stale}"


SAMPLE_PO = r"""# A hand-written catalogue.
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: sample\n"
"POT-Creation-Date: 2025-01-01 12:00+0100\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: views.py:1
msgid "Save"
msgstr "Speichern"

msgctxt "door"
msgid "Open"
msgstr "Öffnen"

msgctxt "status"
msgid "Open"
msgstr "Offen"

#, python-format
msgid "%(n)s file"
msgid_plural "%(n)s files"
msgstr[0] "%(n)s Datei"
msgstr[1] "%(n)s Dateien"

msgctxt "upload"
msgid "%(n)s image"
msgid_plural "%(n)s images"
msgstr[0] "%(n)s Bild"
msgstr[1] "%(n)s Bilder"

msgid ""
"A long message "
"over \"several\" lines\n"
msgstr ""
"Eine lange Nachricht "
"über »mehrere« Zeilen\t\\\n"

#, fuzzy
msgid "Guessed"
msgstr "Geraten"

msgid "Untranslated"
msgstr ""

#~ msgid "Obsolete"
#~ msgstr "Veraltet"
"""


def _sample_mo(tmp_path: Path) -> bytes:
    po_path = tmp_path / "sample.po"
    po_path.write_text(SAMPLE_PO, encoding="utf-8")
    return compile_po(po_path)


def test_compiled_catalogue_reads_back_with_gnu_translations(tmp_path: Path) -> None:
    catalogue = gettext.GNUTranslations(io.BytesIO(_sample_mo(tmp_path)))

    assert catalogue.gettext("Save") == "Speichern"
    assert catalogue.pgettext("door", "Open") == "Öffnen"
    assert catalogue.pgettext("status", "Open") == "Offen"
    assert catalogue.gettext("Open") == "Open"
    assert catalogue.ngettext("%(n)s file", "%(n)s files", 1) == "%(n)s Datei"
    assert catalogue.ngettext("%(n)s file", "%(n)s files", 0) == "%(n)s Dateien"
    assert catalogue.npgettext("upload", "%(n)s image", "%(n)s images", 3) == "%(n)s Bilder"
    long_message = 'A long message over "several" lines\n'
    assert catalogue.gettext(long_message) == "Eine lange Nachricht über »mehrere« Zeilen\t\\\n"
    # Like msgfmt: fuzzy and untranslated entries fall back to the source text.
    assert catalogue.gettext("Guessed") == "Guessed"
    assert catalogue.gettext("Untranslated") == "Untranslated"
    assert catalogue.gettext("Obsolete") == "Obsolete"
    # The header is kept although it is fuzzy, without the volatile creation date.
    assert catalogue.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"
    assert catalogue.charset() == "UTF-8"
    assert "pot-creation-date" not in catalogue.info()


def test_compiled_catalogue_is_deterministic_and_hashed_like_libintl(tmp_path: Path) -> None:
    data = _sample_mo(tmp_path)
    assert data == _sample_mo(tmp_path)
    magic, _revision, count = struct.unpack("<3I", data[:12])
    assert magic == 0x950412DE
    assert count == 7  # header, Save, 2 × Open, 2 plurals, the long message
    for key in (b"", b"Save", b"door\x04Open", b"upload\x04%(n)s image", b"%(n)s file"):
        assert _libintl_find(data, key), key
    assert not _libintl_find(data, b"Guessed")


def _libintl_find(data: bytes, msgid: bytes) -> bool:
    """Return whether C's libintl finds `msgid` through the hash table (it skips the search)."""
    count, originals_at, _, size, table_at = struct.unpack("<5I", data[8:28])
    table = struct.unpack(f"<{size}I", data[table_at : table_at + 4 * size])
    hashed = 0
    for byte in msgid:  # hashpjw, as libintl computes it in a 64-bit unsigned long
        hashed = ((hashed << 4) + byte) & 0xFFFFFFFFFFFFFFFF
        high = hashed & 0xF0000000
        if high:
            hashed ^= (high >> 24) ^ high
    hashed &= 0xFFFFFFFF
    slot, step = hashed % size, 1 + hashed % (size - 2)
    for _ in range(size):
        if not table[slot] or table[slot] > count:
            return False
        at = originals_at + 8 * (table[slot] - 1)
        length, offset = struct.unpack("<2I", data[at : at + 8])
        if data[offset : offset + length].split(b"\0")[0] == msgid:
            return True
        slot = (slot + step) % size
    return False


def test_parse_po_reads_contexts_plurals_and_flags() -> None:
    entries = {(e.msgctxt, e.msgid): e for e in parse_po(SAMPLE_PO)}
    assert entries[(None, "")].fuzzy
    assert entries[("door", "Open")].msgstr == ["Öffnen"]
    plural = entries[(None, "%(n)s file")]
    assert plural.msgid_plural == "%(n)s files"
    assert plural.msgstr == ["%(n)s Datei", "%(n)s Dateien"]
    assert "python-format" in plural.flags
    assert entries[(None, "Guessed")].fuzzy
    assert (None, "Obsolete") not in entries


def test_committed_catalogue_holds_every_extracted_message(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail("install GNU gettext (apt-get install gettext) to check message extraction")
    tree = tmp_path / "src"
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "manage.py", tree / "manage.py")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(PORTAL_DEBUG="true", PORTAL_DATA_DIR=str(tmp_path / "var"))

    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    extracted = _message_keys(parse_po((tree / GERMAN_PO.relative_to(ROOT)).read_text("utf-8")))
    committed = _message_keys(_german_entries())
    missing = sorted(extracted - committed, key=repr)
    stale = sorted(committed - extracted, key=repr)
    assert not missing and not stale, (
        "locale/de/LC_MESSAGES/django.po is out of date: run `make messages`, translate, "
        f"and commit.\nnew in the source: {missing}\nno longer in the source: {stale}"
    )
