"""Turn pasted notes or an uploaded transcript into clean plain text for the protocol assistant.

People bring whatever their tools export: Teams and Zoom captions (.vtt, .srt), Word files, and
text files saved in whatever encoding their PC used. The model needs the words and who said
them, so timing lines, cue numbers and markup go, and consecutive cues of one speaker become one
paragraph. Input we cannot read raises `TranscriptError` with a message the person can act on:
never a 500, never a silently truncated or garbled transcript.

Pure functions, no database. The form checks the upload size first; the limits here are the
last line of defence.
"""

from __future__ import annotations

import codecs
import html
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator

import docx
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from docx.opc.exceptions import OpcError
from lxml import etree
from lxml.etree import QName

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A .docx is a zip: refuse parts that would inflate beyond this before python-docx reads them.
MAX_DOCX_PART_BYTES = 50 * 1024 * 1024
MAX_DOCX_TOTAL_BYTES = 100 * 1024 * 1024

_UNSUPPORTED = _(
    "This file type is not supported. Upload a .txt, .vtt, .srt or .docx file, or paste the text."
)
_EMPTY_FILE = _("The file is empty.")
_NO_TEXT = _("The file contains no text.")
_NOT_TEXT = _("The file does not contain readable text (is it a binary file?).")
_BAD_ENCODING = _(
    "The text encoding of the file could not be recognised. Save it as UTF-8 text and upload "
    "it again, or paste the text."
)
_DOCX_UNREADABLE = _("The Word file could not be read. Save it again as .docx or paste the text.")
_DOCX_PROTECTED = _(
    "The Word file is protected (password or sensitivity label). Remove the protection, save it "
    "again as .docx, or paste the text."
)
_DOCX_TOO_LARGE = _("The Word file is too large to read. Split it or paste the text.")
_NOTHING_PASTED = _("Please paste notes or a transcript, or upload a file.")


class TranscriptError(ValueError):
    """Input that cannot become a transcript; `message` (and `str()`) is shown to the person."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message


def transcript_from_upload(name: str, data: bytes) -> str:
    """Return the plain text of an uploaded .txt, .vtt, .srt or .docx file."""
    extension = name.strip().rpartition(".")[2].lower() if "." in name else ""
    if extension not in {"txt", "vtt", "srt", "docx"}:
        raise TranscriptError(_UNSUPPORTED)
    if not data:
        raise TranscriptError(_EMPTY_FILE)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TranscriptError(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20}
        )
    if extension == "docx":
        text = parse_docx(data)
    else:
        text = decode_text(data)
        # A Teams transcript saved as .txt is still a transcript; drop its timing lines too.
        if extension == "vtt" or text.startswith("WEBVTT"):
            text = parse_vtt(text)
        else:
            text = parse_srt(text) if extension == "srt" else normalise_text(text)
    if not text:
        raise TranscriptError(_NO_TEXT)
    return text


def clean_pasted_text(text: str) -> str:
    """Return pasted notes normalised like an uploaded file; refuse an empty paste."""
    text = normalise_text(text)
    if not text:
        raise TranscriptError(_NOTHING_PASTED)
    return text


# --- Text files -----------------------------------------------------------------------------

# C0 controls other than \t \n \r, and DEL: they have the same code in ASCII, UTF-8 and cp1252
# and never occur inside a UTF-8 multi-byte sequence, so they mark binary data in any encoding.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BINARY_CONTROL_SHARE = 0.05
# Beyond letters, what German or Western European text in Windows-1252 has above ASCII. Symbols
# such as ¤ ¶ ¦ are left out because they are what UTF-8 umlauts look like when misread.
_CP1252_PUNCTUATION = frozenset("€‚„…–—‘’“”•«»‹›°§·´×÷©®™±²³µ½¼¾\xa0")


def decode_text(data: bytes) -> str:
    """Return `data` as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict_decode(data, "utf-16")
    elif data.startswith(codecs.BOM_UTF8):
        text = _strict_decode(data, "utf-8-sig")
    else:
        # Check the raw bytes first, so a renamed PDF gets the binary message, not the encoding one.
        _refuse_binary(data.decode("latin-1"))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return _decode_windows_1252(data)
    _refuse_binary(text)
    return text


def _strict_decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise TranscriptError(_BAD_ENCODING) from None


def _refuse_binary(text: str) -> None:
    controls = len(_CONTROL_CHARS.findall(text))
    if "\x00" in text or controls > len(text) * _BINARY_CONTROL_SHARE:
        raise TranscriptError(_NOT_TEXT)


def _decode_windows_1252(data: bytes) -> str:
    """Decode text from older Windows editors, refusing results that are clearly not text."""
    text = _strict_decode(data, "cp1252")
    high = [char for char in text if ord(char) > 127]
    plausible = sum(char.isalpha() or char in _CP1252_PUNCTUATION for char in high)
    # Western text has a few percent accented letters; far more means another encoding (e.g.
    # Cyrillic), odd symbols mean UTF-8 with a broken byte. Either way: ask for UTF-8.
    if len(high) > len(text) * 0.3 or plausible < len(high) * 0.9:
        raise TranscriptError(_BAD_ENCODING)
    return text


_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")
# Control characters (keeping \t and \n) and stray BOMs confuse the model and the HTML output.
_STRAY_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")


def normalise_text(text: str) -> str:
    """Return `text` with \\n line ends, no control characters or trailing blanks per line."""
    text = _STRAY_CHARS.sub("", _LINE_BREAKS.sub("\n", text))
    # macOS and some exporters write "ü" as "u" plus a combining mark; the model wants one.
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{4,}", "\n\n\n", text).strip()


# --- Captions: WebVTT and SRT ----------------------------------------------------------------

_TIMING = re.compile(
    r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}(?:\s.*)?$"
)
_NON_CUE_BLOCK = re.compile(r"^(?:WEBVTT|NOTE|STYLE|REGION)(?:\s|$)")
_CUE_ID = re.compile(r"^\S*\d\S*$")  # "17", a Teams UUID; not a word of speech
_VOICE_TAG = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>\n]*>|\{\\[^}\n]*\}")  # <c>, <i>, <00:00:01.000>, SRT {\an8}
_SPEAKER = re.compile(r"^([^\W\d_][^:]{0,59}?):\s+(\S.*)$")
_BIDI_MARKS = {0x200E: None, 0x200F: None}  # &lrm; and &rlm; in cue text


def parse_vtt(text: str) -> str:
    """Return a WebVTT transcript (Teams, Zoom) as one line per speaker turn."""
    return _speaker_turns(_cues(normalise_text(text)))


def parse_srt(text: str) -> str:
    """Return an SRT transcript as one line per speaker turn ("Name: text" starts a turn)."""
    return _speaker_turns(_cues(normalise_text(text)))


def _cues(text: str) -> Iterator[list[str]]:
    """Yield each cue's text lines, without identifiers, timing lines and metadata blocks."""
    for block in re.split(r"\n{2,}", text):
        cue: list[str] = []
        timed = False
        for index, line in enumerate(block.split("\n")):
            if not _TIMING.match(line):
                cue.append(line)
                continue
            # The line before a timing line is the cue identifier; mid-block (a file missing its
            # blank lines) only if it looks like one, so no spoken line is dropped.
            if cue and (index == 1 or _CUE_ID.match(cue[-1])):
                cue.pop()
            if cue:
                yield cue
            cue, timed = [], True
        # Text outside any cue is kept, except the header and NOTE/STYLE/REGION blocks.
        if cue and (timed or not _NON_CUE_BLOCK.match(cue[0])):
            yield cue


def _cue_segments(lines: list[str]) -> Iterator[tuple[str | None, str]]:
    """Yield (speaker, text) per line of a cue; a line without a name continues the last one."""
    text = _VOICE_TAG.sub(lambda match: f"\n{' '.join(match[1].split())}: ", "\n".join(lines))
    text = html.unescape(_TAG.sub("", text)).translate(_BIDI_MARKS)
    speaker = None
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        if match := _SPEAKER.match(line):
            speaker, line = match[1], match[2]
        yield speaker, line


def _speaker_turns(cues: Iterable[list[str]]) -> str:
    # An unnamed cue never joins a named turn: guessing who spoke would put words in a mouth.
    turns: list[tuple[str | None, list[str]]] = []
    for cue in cues:
        for speaker, line in _cue_segments(cue):
            if turns and turns[-1][0] == speaker:
                turns[-1][1].append(line)
            else:
                turns.append((speaker, [line]))
    return "\n".join(
        f"{speaker}: {' '.join(lines)}" if speaker else " ".join(lines) for speaker, lines in turns
    )


# --- Word files ------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
# Run content in document order, tracked insertions included; mc:Fallback repeats a text box
# for old Word versions, so it is skipped.
_RUN_CONTENT = etree.XPath(
    ".//w:r[not(ancestor::mc:Fallback)]/*[self::w:t or self::w:tab or self::w:br or self::w:cr]",
    namespaces=_NS,
)
_RUN_MARKS = {"tab": "\t", "br": "\n", "cr": "\n"}
_ROWS = etree.XPath("w:tr | w:sdt/w:sdtContent/w:tr", namespaces=_NS)
_CELLS = etree.XPath("w:tc | w:sdt/w:sdtContent/w:tc", namespaces=_NS)
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # .doc, and encrypted .docx
# What a damaged zip or package raises while being read (bad CRC, cut-off deflate stream, ...).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)
_DOCX_ERRORS = (*_ZIP_ERRORS, OpcError, KeyError, ValueError, AttributeError, etree.LxmlError)


def parse_docx(data: bytes) -> str:
    """Return the paragraphs and table rows of a .docx file as text, in document order."""
    _check_docx_archive(data)
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except _DOCX_ERRORS as error:
        raise TranscriptError(_DOCX_UNREADABLE) from error
    return "" if body is None else normalise_text("\n".join(_docx_blocks(body)))


def _check_docx_archive(data: bytes) -> None:
    """Refuse old or protected Word files, non-zips and zip bombs before python-docx reads."""
    if data.startswith(_OLE_MAGIC):
        protected = "EncryptionInfo".encode("utf-16-le") in data
        raise TranscriptError(_DOCX_PROTECTED if protected else _DOCX_UNREADABLE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # zipfile stops inflating at the declared size, so checking it is enough.
            sizes = [info.file_size for info in archive.infolist()]
    except (*_ZIP_ERRORS, ValueError, OSError) as error:
        raise TranscriptError(_DOCX_UNREADABLE) from error
    if max(sizes, default=0) > MAX_DOCX_PART_BYTES or sum(sizes) > MAX_DOCX_TOTAL_BYTES:
        raise TranscriptError(_DOCX_TOO_LARGE)


def _docx_blocks(container: etree._Element) -> Iterator[str]:
    for child in container.iterchildren(f"{{{_W}}}p", f"{{{_W}}}tbl", f"{{{_W}}}sdt"):
        kind = QName(child).localname
        if kind == "p":
            yield "".join(
                _RUN_MARKS.get(QName(n).localname, n.text or "") for n in _RUN_CONTENT(child)
            )
        elif kind == "tbl":
            yield from _docx_table_rows(child)
        elif (content := child.find(f"{{{_W}}}sdtContent")) is not None:
            yield from _docx_blocks(content)  # a content control, common in meeting templates


def _docx_table_rows(table: etree._Element) -> Iterator[str]:
    """Yield one line per row, "cell | cell"; paragraphs within a cell joined by " / "."""
    for row in _ROWS(table):
        cells = []
        for cell in _CELLS(row):
            lines = (" ".join(line.split()) for line in _docx_blocks(cell))
            cells.append(" / ".join(line for line in lines if line))
        if any(cells):
            yield " | ".join(cells)
