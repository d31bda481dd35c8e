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
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lxml import etree
from lxml.etree import QName

from assistants import docx_worker
from assistants.captions import parse_captions

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A .docx is a zip. Only its main document part is read, and only up to this size: the XML
# of a 300-page transcript with Teams' formatting is about 4 MB; a few MB more is a bomb.
MAX_DOCX_XML_BYTES = 8 * 1024 * 1024
MAX_DOCX_SMALL_PART_BYTES = 1024 * 1024  # _rels/.rels and [Content_Types].xml
# Larger main parts are parsed in a child process with a memory ceiling (docx_worker).
IN_PROCESS_XML_BYTES = 1024 * 1024

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
DOCX_UNREADABLE = _("The Word file could not be read. Save it again as .docx or paste the text.")
_DOCX_PROTECTED = _(
    "The Word file is protected (password or sensitivity label). Remove the protection, save it "
    "again as .docx, or paste the text."
)
DOCX_TOO_LARGE = _("The Word file is too large to read. Split it or paste the text.")
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
        if extension == "vtt" or text.lstrip("\ufeff").startswith("WEBVTT"):
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
    # By share, not by any NUL: a caption file with a few NULs is text (WebVTT reads them
    # as U+FFFD), while binary files and UTF-16 without a BOM are full of them.
    if len(_CONTROL_CHARS.findall(text)) > len(text) * _BINARY_CONTROL_SHARE:
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


# --- Captions: WebVTT and SRT (assistants.captions) -------------------------------------------


def parse_vtt(text: str) -> str:
    """Return a WebVTT transcript (Teams, Zoom, Webex, Meet) as one line per speaker turn."""
    return normalise_text(parse_captions(text).text())


def parse_srt(text: str) -> str:
    """Return an SRT transcript as one line per speaker turn."""
    return normalise_text(parse_captions(text).text())


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


def parse_docx(data: bytes) -> str:
    """Return the paragraphs and table rows of a .docx file as text, in document order.

    Only the main document part is read, never more than MAX_DOCX_XML_BYTES of it (checked
    before inflating; a zip entry cannot inflate past its declared size without failing its
    checksum). Parts above IN_PROCESS_XML_BYTES are parsed in a child process with a memory
    ceiling, so a crafted file cannot make the web process grow.
    """
    xml = _docx_main_part(data)
    if len(xml) > IN_PROCESS_XML_BYTES:
        return docx_worker.text_in_child(xml)
    return docx_text(xml)


def docx_text(xml: bytes) -> str:
    """The text of a main document part (WordprocessingML); TranscriptError if unreadable."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser=parser)
    except (etree.LxmlError, ValueError) as error:
        raise TranscriptError(DOCX_UNREADABLE) from error
    body = root.find(f"{{{_W}}}body")
    if root.tag != f"{{{_W}}}document" or body is None:
        raise TranscriptError(DOCX_UNREADABLE)
    return normalise_text("\n".join(_docx_blocks(body)))


_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN_RELATION = "/officeDocument"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORD_TYPES = re.compile(r"^application/vnd\.ms-word\.|wordprocessingml\.(document|template)")


def _docx_main_part(data: bytes) -> bytes:
    """Return the main document part's XML, after the checks that protect the process."""
    if data.startswith(_OLE_MAGIC):
        protected = "EncryptionInfo".encode("utf-16-le") in data
        raise TranscriptError(_DOCX_PROTECTED if protected else DOCX_UNREADABLE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
            name = _main_part_name(archive, sizes)
            if sizes[name] > MAX_DOCX_XML_BYTES:
                raise TranscriptError(DOCX_TOO_LARGE)
            return archive.read(name)
    except TranscriptError:
        raise
    except (*_ZIP_ERRORS, KeyError, ValueError, OSError, etree.LxmlError) as error:
        raise TranscriptError(DOCX_UNREADABLE) from error


def _main_part_name(archive: zipfile.ZipFile, sizes: dict[str, int]) -> str:
    """The part `_rels/.rels` names as the office document, if its content type is Word's."""
    for small in ("_rels/.rels", "[Content_Types].xml"):
        if sizes.get(small, 0) > MAX_DOCX_SMALL_PART_BYTES:
            raise TranscriptError(DOCX_TOO_LARGE)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    rels = etree.fromstring(archive.read("_rels/.rels"), parser=parser)
    targets = [
        r.get("Target", "").lstrip("/")
        for r in rels.iter(f"{{{_RELS}}}Relationship")
        if r.get("Type", "").endswith(_MAIN_RELATION)
    ]
    types = etree.fromstring(archive.read("[Content_Types].xml"), parser=parser)
    word = {
        o.get("PartName", "").lstrip("/")
        for o in types.iter(f"{{{_TYPES}}}Override")
        if _WORD_TYPES.search(o.get("ContentType", ""))
    }
    for target in targets:
        if target in word and target in sizes:
            return target
    raise TranscriptError(DOCX_UNREADABLE)


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
