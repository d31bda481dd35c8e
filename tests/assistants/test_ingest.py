"""Uploaded and pasted transcripts become clean text, and bad input a clear TranscriptError."""

from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from django.utils import translation
from docx.oxml import parse_xml

from assistants.ingest import (
    MAX_UPLOAD_BYTES,
    TranscriptError,
    clean_pasted_text,
    decode_text,
    parse_docx,
    transcript_from_upload,
)

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

TEAMS_VTT = (
    "WEBVTT\r\n\r\n"
    "NOTE Erstellt mit Microsoft Teams\r\n\r\n"
    "STYLE\r\n::cue { color: yellow }\r\n\r\n"
    "3f2a1c7e-1b2d-4c5e-9f00-6a7b8c9d0e1f/12-0\r\n"
    "00:00:03.520 --> 00:00:07.360\r\n"
    "<v Anna Müller>Guten Morgen zusammen, wir fangen mit dem Budget an.</v>\r\n\r\n"
    "3f2a1c7e-1b2d-4c5e-9f00-6a7b8c9d0e1f/13-0\r\n"
    "00:00:07.360 --> 00:00:10.120 align:start position:10%\r\n"
    "<v Anna Müller>Die Zahlen für Q3 liegen <i>endlich</i> vor.</v>\r\n\r\n"
    "3f2a1c7e-1b2d-4c5e-9f00-6a7b8c9d0e1f/14-0\r\n"
    "00:00:10.500 --> 00:00:14.000\r\n"
    "<v Jörg Weiß>Danke. <00:00:11.000>Ich prüfe die Größenordnung bis Freitag.</v>\r\n\r\n"
    "00:00:14.000 --> 00:00:16.000\r\n"
    "<v.loud Anna Müller><c.yellow>Gut</c>, dann Punkt 2 &amp; 3.\r\n"
)

ZOOM_VTT = """WEBVTT

1
00:00:02.340 --> 00:00:05.120
Anna Müller: Guten Morgen.

2
00:00:05.500 --> 00:00:08.000
Anna Müller: Wir beginnen pünktlich.

3
00:00:08.100 --> 00:00:12.000
Ben Schulz: Ich habe eine Frage
zum Protokoll.

4
00:00:12.100 --> 00:00:14.000
Anna Müller: Gerne, um 10:30 Uhr.
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Anna Müller: Willkommen zur Übergabe.

2
00:00:04,200 --> 00:00:06,500
Anna Müller: <i>Erstens</i> das Lager.

3
00:00:06,600 --> 00:00:09,000
{\\an8}Jörg Weiß: Läuft.

4
00:00:09,100 --> 00:00:11,000
ohne Namen, aber gesagt

5
00:00:11,100 --> 00:00:12,000
42
"""


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Match on the English source text, which stays valid when German translations arrive.
    with translation.override("en"):
        yield


def _refused(name: str, data: bytes, match: str) -> str:
    with pytest.raises(TranscriptError, match=match) as caught:
        transcript_from_upload(name, data)
    assert str(caught.value) == str(caught.value.message) != ""
    return str(caught.value)


def _docx_bytes(document: docx.document.Document, tmp_path: Path) -> bytes:
    path = tmp_path / "protokoll.docx"
    document.save(str(path))
    return path.read_bytes()


@pytest.fixture
def meeting_docx(tmp_path: Path) -> bytes:
    document = docx.Document()
    document.add_heading("Protokoll Teamrunde", level=1)
    document.add_paragraph("Teilnehmende: Anna Müller, Jörg Weiß")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [("Aufgabe", "Wer", "Bis"), ("Angebot prüfen", "Jörg", "Fr."), ("Budget", "Anna", "")],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    table.cell(2, 2).add_paragraph("zweiter Absatz")
    document.add_paragraph("Nächster Termin: Dienstag")
    return _docx_bytes(document, tmp_path)


# --- Captions ---------------------------------------------------------------------------------


def test_teams_vtt_becomes_one_line_per_speaker_turn() -> None:
    text = transcript_from_upload("Besprechung.vtt", TEAMS_VTT.encode())

    assert text.split("\n") == [
        "Anna Müller: Guten Morgen zusammen, wir fangen mit dem Budget an. "
        "Die Zahlen für Q3 liegen endlich vor.",
        "Jörg Weiß: Danke. Ich prüfe die Größenordnung bis Freitag.",
        "Anna Müller: Gut, dann Punkt 2 & 3.",
    ]


def test_zoom_vtt_keeps_name_lines_and_merges_consecutive_cues() -> None:
    text = transcript_from_upload("GMT20240312-zoom.VTT", ZOOM_VTT.encode())

    assert text.split("\n") == [
        "Anna Müller: Guten Morgen. Wir beginnen pünktlich.",
        "Ben Schulz: Ich habe eine Frage zum Protokoll.",
        "Anna Müller: Gerne, um 10:30 Uhr.",
    ]


def test_vtt_cue_with_two_voices_is_split_between_speakers() -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna>Ja?</v> <v Ben>Nein.</v>\n"

    assert transcript_from_upload("a.vtt", vtt.encode()) == "Anna: Ja?\nBen: Nein."


def test_srt_drops_numbers_and_timings_and_never_attributes_unnamed_cues() -> None:
    text = transcript_from_upload("untertitel.srt", SRT.encode())

    assert text.split("\n") == [
        "Anna Müller: Willkommen zur Übergabe. Erstens das Lager.",
        "Jörg Weiß: Läuft.",
        "ohne Namen, aber gesagt 42",
    ]
    assert "-->" not in text


def test_srt_without_blank_lines_between_cues_loses_no_spoken_line() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nErste Zeile\n2\n00:00:02,000 --> 00:00:03,000\nZweite\n"
    )

    assert transcript_from_upload("x.srt", srt.encode()) == "Erste Zeile Zweite"


def test_teams_transcript_saved_as_txt_is_parsed_as_vtt() -> None:
    text = transcript_from_upload("transcript.txt", TEAMS_VTT.encode("utf-8-sig"))

    assert text.startswith("Anna Müller: Guten Morgen")
    assert not re.search(r"\d\d:\d\d\.\d{3}", text)


def test_vtt_with_only_header_and_notes_contains_no_text() -> None:
    _refused("leer.vtt", b"WEBVTT\n\nNOTE nichts gesagt\n", "contains no text")


# --- Text files and encodings -------------------------------------------------------------------

NOTES = "Protokoll: Größe der Übergabe prüfen – Kosten 5 €\nAnmerkung von Jörg"


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", NOTES.encode()),
        ("utf-8 with BOM", NOTES.encode("utf-8-sig")),
        ("utf-16 LE with BOM", NOTES.encode("utf-16")),
        ("utf-16 BE with BOM", b"\xfe\xff" + NOTES.encode("utf-16-be")),
        ("windows-1252", NOTES.encode("cp1252")),
    ],
)
def test_text_file_encodings_decode_with_umlauts_intact(label: str, data: bytes) -> None:
    assert transcript_from_upload("notizen.TXT", data) == NOTES


def test_windows_line_endings_and_controls_are_normalised() -> None:
    data = "Begrüßung  \r\nZeile\x07 zwei\r\r\n\n\n\n\nEnde der Sitzung\t\x0c".encode()

    assert transcript_from_upload("n.txt", data) == "Begrüßung\nZeile zwei\n\n\nEnde der Sitzung"


def test_a_few_control_characters_do_not_make_text_binary() -> None:
    # Old exports put a form feed between pages; one per page is text, not binary.
    data = ("Seite eins mit genug Text für eine Zeile.\n\x0c" * 3).encode()

    assert transcript_from_upload("n.txt", data).count("Seite eins") == 3


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x00" + bytes(64)),
        (
            "vertrag.txt",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n"
            + zlib.compress(random.Random(1).randbytes(4000)),
        ),
        ("rauschen.srt", bytes(random.Random(2).randrange(1, 32) for _ in range(500))),
    ],
)
def test_binary_files_renamed_to_text_are_refused(name: str, data: bytes) -> None:
    _refused(name, data, "does not contain readable text")


def test_utf16_with_binary_content_is_refused() -> None:
    with pytest.raises(TranscriptError, match="readable text"):
        decode_text(b"\xff\xfe" + bytes(100))


@pytest.mark.parametrize(
    "data",
    [
        "Привет, это протокол совещания".encode("cp1251"),  # Cyrillic, not Western text
        "Größe prüfen, Übergabe".encode() + b"\x81 kaputt",  # UTF-8 with a broken byte
        b"\xff\xfe\x00\xd8",  # UTF-16 with a lone surrogate
    ],
)
def test_text_in_an_unknown_encoding_asks_for_utf8(data: bytes) -> None:
    assert "UTF-8" in _refused("notizen.txt", data, "encoding")


# --- Word files --------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_rows_in_document_order(meeting_docx: bytes) -> None:
    text = transcript_from_upload("Protokoll.DOCX", meeting_docx)

    assert text.split("\n") == [
        "Protokoll Teamrunde",
        "Teilnehmende: Anna Müller, Jörg Weiß",
        "Aufgabe | Wer | Bis",
        "Angebot prüfen | Jörg | Fr.",
        "Budget | Anna | zweiter Absatz",
        "Nächster Termin: Dienstag",
    ]


def test_docx_merged_cells_are_not_repeated(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Zusammengefasst"
    table.cell(0, 2).text = "Rechts"

    assert parse_docx(_docx_bytes(document, tmp_path)) == "Zusammengefasst | Rechts"


def test_docx_keeps_tracked_insertions_and_content_controls(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Beschluss: ")
    paragraph._p.append(
        parse_xml(f"<w:ins {W_NS} w:id='1' w:author='A'><w:r><w:t>neu</w:t></w:r></w:ins>")
    )
    paragraph._p.append(
        parse_xml(
            f"<w:del {W_NS} w:id='2' w:author='A'><w:r><w:delText>alt</w:delText></w:r></w:del>"
        )
    )
    document.element.body.insert(
        0,
        parse_xml(
            f"<w:sdt {W_NS}><w:sdtContent><w:p><w:r><w:t>Titel aus Vorlage</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        ),
    )

    assert parse_docx(_docx_bytes(document, tmp_path)) == "Titel aus Vorlage\nBeschluss: neu"


def test_docx_without_text_contains_no_text(tmp_path: Path) -> None:
    _refused("leer.docx", _docx_bytes(docx.Document(), tmp_path), "contains no text")


def _rezip(data: bytes, name: str, replace: tuple[bytes, bytes]) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            archive.writestr(
                info.filename, content.replace(*replace) if info.filename == name else content
            )
    return target.getvalue()


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda good: random.Random(3).randbytes(5000), id="random bytes"),
        pytest.param(lambda good: good[: len(good) // 2], id="truncated"),
        pytest.param(
            lambda good: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600), id="old .doc renamed"
        ),
        pytest.param(
            lambda good: _rezip(
                good,
                "[Content_Types].xml",
                (b"wordprocessingml.document.main", b"spreadsheetml.sheet.main"),
            ),
            id="xlsx renamed",
        ),
        pytest.param(
            lambda good: _rezip(good, "word/document.xml", (b"</w:body>", b"")), id="broken XML"
        ),
    ],
)
def test_unreadable_word_files_are_refused(meeting_docx: bytes, broken) -> None:
    _refused("protokoll.docx", broken(meeting_docx), "Word file could not be read")


def test_protected_word_file_is_named_as_protected() -> None:
    data = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(200) + "EncryptionInfo".encode("utf-16-le")

    _refused("vertraulich.docx", data, "protected")


def _with_document(good: bytes, document: bytes, *, declared: int | None = None) -> bytes:
    """The Word file `good` with another main part (its declared size optionally a lie)."""
    source, target = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, source.read(info))
        archive.writestr("word/document.xml", document)
    data = target.getvalue()
    if declared is not None:  # patch the sizes in the local and the central header
        real = len(document).to_bytes(4, "little")
        data = data.replace(real, declared.to_bytes(4, "little"))
    return data


def test_zip_bomb_docx_is_refused_before_inflating(meeting_docx: bytes) -> None:
    # As the audit's: ~75 KB that would unpack to ~49 MB of XML.
    bomb = _with_document(meeting_docx, b"<w:document " + W_NS.encode() + b">" + b" " * 49 * 2**20)
    assert len(bomb) < 100_000

    _refused("bombe.docx", bomb, "too large")


def test_a_part_inflating_beyond_its_declared_size_is_refused(meeting_docx: bytes) -> None:
    xml = zipfile.ZipFile(io.BytesIO(meeting_docx)).read("word/document.xml")
    lying = _with_document(meeting_docx, xml + b" " * 2**20, declared=1000)

    _refused("gelogen.docx", lying, "could not be read")


def test_a_large_document_is_read_in_a_child_process(
    meeting_docx: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistants import docx_worker, ingest

    xml = zipfile.ZipFile(io.BytesIO(meeting_docx)).read("word/document.xml")
    paragraph = f"<w:p><w:r><w:t>{'Größenordnung prüfen. ' * 40}</w:t></w:r></w:p>".encode()
    big = xml.replace(b"<w:body>", b"<w:body>" + paragraph * 1500)
    assert len(big) > ingest.IN_PROCESS_XML_BYTES
    children = []
    real = docx_worker.text_in_child
    monkeypatch.setattr(docx_worker, "text_in_child", lambda x: children.append(1) or real(x))

    text = transcript_from_upload("lang.docx", _with_document(meeting_docx, big))

    assert children == [1]
    assert text.count("Größenordnung prüfen.") == 40 * 1500
    assert text.endswith("Nächster Termin: Dienstag")
    broken = big.replace(b"</w:body>", b"")
    _refused("kaputt.docx", _with_document(meeting_docx, broken), "could not be read")


# --- What the upload and the paste refuse -------------------------------------------------------


@pytest.mark.parametrize("name", ["protokoll.pdf", "protokoll.doc", "notizen", "notes.txt.exe", ""])
def test_unsupported_file_types_are_refused(name: str) -> None:
    _refused(name, b"Hallo", "not supported")


@pytest.mark.parametrize("name", ["leer.txt", "leer.vtt", "leer.docx"])
def test_empty_files_are_refused(name: str) -> None:
    _refused(name, b"", "empty")


def test_text_file_with_only_whitespace_contains_no_text() -> None:
    _refused("leer.txt", b" \r\n\t\n  ", "contains no text")


def test_oversized_upload_is_refused() -> None:
    _refused("riesig.txt", b"a" * (MAX_UPLOAD_BYTES + 1), "larger than 10 MB")


def test_pasted_text_is_normalised() -> None:
    pasted = "\ufeff  Punkt 1:\tBudget  \r\n\r\n\r\n\r\n\r\nPunkt 2: Größe\x00\n"

    assert clean_pasted_text(pasted) == "Punkt 1:\tBudget\n\n\nPunkt 2: Größe"


def test_decomposed_umlauts_are_composed() -> None:
    assert clean_pasted_text("Mu\u0308ller") == "Müller"


@pytest.mark.parametrize("pasted", ["", "   ", "\n\t\r\n \u2028"])
def test_whitespace_paste_is_refused(pasted: str) -> None:
    with pytest.raises(TranscriptError, match="Please paste") as caught:
        clean_pasted_text(pasted)
    assert str(caught.value)
