"""Recordings in: what is accepted, and bad input refused with a message, no job, no file left."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistants.models import GenerationJob
from assistants.speech import audio
from tests.assistants.audio import ENCODINGS, SPEECH, tone, write_encoded, write_wav

pytestmark = pytest.mark.django_db
URL = "/assistenten/transkript/neu/"


@pytest.fixture(autouse=True)
def _audio_dir(settings, tmp_path: Path) -> Path:
    settings.AUDIO_DIR = tmp_path / "audio"
    return settings.AUDIO_DIR


def _upload(client, name: str, content: bytes, **fields):
    data = {"title": "Jour fixe", "language": "de", "consent": "on", **fields}
    if name:
        data["audio"] = SimpleUploadedFile(name, content)
    return client.post(URL, data)


def _refused(client, settings, name: str, content: bytes, **fields) -> str:
    response = _upload(client, name, content, **fields)
    assert response.status_code == 200  # the form again, with the message
    assert GenerationJob.objects.count() == 0
    assert not any(settings.AUDIO_DIR.glob("*")), "a refused file stayed on the server"
    return response.content.decode()


@pytest.mark.parametrize("container", sorted(ENCODINGS))
def test_every_accepted_format_is_read_with_its_length(tmp_path, container) -> None:
    path = write_encoded(tmp_path / f"t{ENCODINGS[container][1]}", tone(3.0), container)

    info = audio.probe(path)

    assert info.seconds == pytest.approx(3.0, abs=0.1)


def test_a_wav_and_the_speech_sample_are_read(tmp_path) -> None:
    assert audio.probe(write_wav(tmp_path / "t.wav", tone(2.0))).container == "wav"
    assert audio.probe(SPEECH).seconds == pytest.approx(13.5, abs=0.2)


def test_an_accepted_upload_is_queued_and_stored_under_a_neutral_name(
    client, alice, settings
) -> None:
    client.force_login(alice)

    response = _upload(client, "Gespräch mit Frau Müller.ogg", SPEECH.read_bytes())

    job = GenerationJob.objects.get()
    assert response.status_code == 302 and response.url == f"/assistenten/auftraege/{job.pk}/"
    assert job.kind == "transcript" and job.status == "queued"
    assert job.params["seconds"] == pytest.approx(13.5, abs=0.2)
    [stored] = settings.AUDIO_DIR.iterdir()
    assert stored.name == job.params["audio"] and stored.suffix == ".ogg"
    assert "Müller" not in stored.name and "Müller" not in str(job.params)
    assert stored.read_bytes() == SPEECH.read_bytes()


def test_a_renamed_program_is_refused(client, alice, settings) -> None:
    client.force_login(alice)
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256)) * 40

    page = _refused(client, settings, "besprechung.mp3", program)

    assert "keine Aufnahme, die wir lesen können" in page


def test_a_damaged_file_is_refused(client, alice, settings, tmp_path) -> None:
    client.force_login(alice)
    good = write_encoded(tmp_path / "t.m4a", tone(3.0), "ipod").read_bytes()
    damaged = good[:200] + bytes(len(good) - 200)

    page = _refused(client, settings, "besprechung.m4a", damaged)

    assert "keine Aufnahme" in page or "leer" in page


def test_a_text_file_is_refused(client, alice, settings) -> None:
    client.force_login(alice)

    page = _refused(client, settings, "notizen.wav", b"Anna: Hallo zusammen\n" * 100)

    assert "keine Aufnahme, die wir lesen können" in page


def _png() -> bytes:
    """A valid 1×1 PNG, written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_an_image_is_refused_by_its_type(client, alice, settings) -> None:
    client.force_login(alice)

    page = _refused(client, settings, "aufnahme.mp3", _png())

    assert "werden nicht angenommen" in page or "keine Aufnahme" in page


def test_a_video_without_sound_is_refused(client, alice, settings, tmp_path) -> None:
    import av
    import numpy as np

    client.force_login(alice)
    path = tmp_path / "stumm.mp4"
    with av.open(str(path), mode="w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)

    page = _refused(client, settings, "video.mp4", path.read_bytes())

    assert "keine Tonspur" in page


def test_a_ten_hour_recording_is_refused_before_any_decoding(
    client, alice, settings, tmp_path
) -> None:
    """A WebM whose header states ten hours: refused by what it states, nothing decoded."""
    client.force_login(alice)
    content = write_encoded(tmp_path / "t.webm", tone(2.0), "webm").read_bytes()
    # Matroska's Duration element (id 0x4489) as an 8-byte float, in milliseconds.
    at = content.index(b"\x44\x89\x88")
    ten_hours = content[: at + 3] + struct.pack(">d", 36_000_000.0) + content[at + 11 :]

    page = _refused(client, settings, "klausur.webm", ten_hours)

    assert "10:00:00" in page and "3:00:00" in page and "Teilen Sie" in page


def test_a_recording_over_the_limit_without_a_stated_length_is_measured(
    client, alice, settings, tmp_path
) -> None:
    settings.AUDIO_MAX_SECONDS = 2
    client.force_login(alice)
    path = write_encoded(tmp_path / "t.webm", tone(4.0), "webm")

    page = _refused(client, settings, "aufnahme.webm", path.read_bytes())

    assert "höchstens 0:02" in page


def test_silence_of_half_a_second_is_refused_as_empty(client, alice, settings, tmp_path) -> None:
    client.force_login(alice)
    path = write_wav(tmp_path / "kurz.wav", tone(0.3))

    assert "leer oder kürzer als eine Sekunde" in _refused(
        client, settings, "kurz.wav", path.read_bytes()
    )


def test_an_upload_over_the_size_limit_is_not_written_anywhere(client, alice, settings) -> None:
    settings.AUDIO_MAX_BYTES = 10_000
    client.force_login(alice)

    page = _refused(client, settings, "gross.ogg", SPEECH.read_bytes())

    assert "größer als" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"consent": ""}, "Dieses Feld"),
        ({"title": ""}, "Dieses Feld"),
        ({"language": "xx"}, "gültige Auswahl"),
    ],
)
def test_missing_consent_title_or_a_bad_language_are_refused(
    client, alice, settings, fields, message
) -> None:
    client.force_login(alice)

    assert message in _refused(client, settings, "a.ogg", SPEECH.read_bytes(), **fields)


def test_no_file_says_what_to_do(client, alice, settings) -> None:
    client.force_login(alice)

    assert "nehmen Sie eine unten auf" in _refused(client, settings, "", b"")


def test_the_form_is_german_and_explains_where_the_recording_goes(client, alice) -> None:
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert "Aufnahme transkribieren" in page
    assert "gelöscht" in page and "verlässt den Server" in page
    assert 'id="recorder"' in page and "Aufnahme starten" in page
