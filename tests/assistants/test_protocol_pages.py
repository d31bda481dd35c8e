"""Protocol generator pages: bad input gets a clear message and no job; output is rendered safe."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistants.models import GenerationJob, ProtocolTemplate

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    data = {
        "title": "Jour fixe",
        "meeting_date": "2026-11-20",
        "output_language": "de",
        "template": ProtocolTemplate.objects.get(key="jour-fixe").pk,
        "transcript": "",
    }
    data.update(overrides)
    return data


def _post(client, **overrides):
    response = client.post("/assistenten/protokoll/neu/", _form(**overrides))
    assert response.status_code == 200  # the form again, with the message
    assert GenerationJob.objects.count() == 0
    return response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"transcript": "   \n "}, "Bitte fügen Sie"),
        ({"title": ""}, "Dieses Feld"),
        ({"meeting_date": "31.02.2026", "transcript": "Anna: Hallo"}, "gültiges Datum"),
        ({"transcript": "x" * 200_001}, "Zeichen"),
        (
            {"upload": SimpleUploadedFile("bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)},
            "lesbaren Text",
        ),
        (
            {"upload": SimpleUploadedFile("kaputt.docx", b"PK\x03\x04 kein echtes docx")},
            "Word-Datei",
        ),
        ({"upload": SimpleUploadedFile("folien.pptx", b"abc")}, "Dateityp"),
        (
            {"upload": SimpleUploadedFile("a.txt", b"Anna: Hallo"), "transcript": "Anna: Hallo"},
            "nicht beides",
        ),
    ],
)
def test_bad_input_gets_a_clear_message(client, alice, overrides, message) -> None:
    client.force_login(alice)
    assert message in _post(client, **overrides)


def test_teams_export_upload_creates_a_job(
    client, alice, django_capture_on_commit_callbacks
) -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Anna Müller>Wir starten den Pilot.</v>\n"
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/assistenten/protokoll/neu/",
            _form(upload=SimpleUploadedFile("besprechung.vtt", vtt.encode())),
        )
    assert response.status_code == 302
    job = GenerationJob.objects.get()
    assert job.input_text == "Anna Müller: Wir starten den Pilot."


def test_participants_from_directory_and_typed(
    client, alice, bob, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/assistenten/protokoll/neu/",
            _form(
                transcript="Anna: Hallo",
                participants_known=[bob.pk],
                participants_other="Gast Extern, Bob Wagner",
            ),
        )
    assert GenerationJob.objects.get().params["participants"] == ["Bob Wagner", "Gast Extern"]


XSS = (
    '<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) <a hx-get="/x">'
)


def test_model_output_is_rendered_harmless(client, alice) -> None:
    from tests.factories import protocol_for

    data = {
        "summary": XSS,
        "participants": [XSS],
        "agenda_items": [{"title": XSS, "notes": XSS}],
        "decisions": [{"text": XSS, "source_quote": XSS, "verified": False}],
        "action_items": [
            {"task": XSS, "owner": XSS, "due_date": None, "source_quote": XSS, "verified": False}
        ],
        "open_questions": [XSS],
        "notes": [],
    }
    _, protocol = protocol_for(alice, data=data)
    client.force_login(alice)
    page = client.get(f"/assistenten/protokolle/{protocol.pk}/").content.decode()
    tags = _tags(page.split("<main", 1)[1])
    assert not [t for t, _ in tags if t in {"script", "img", "svg", "iframe"}]
    attributes = [(name, value or "") for _, attrs in tags for name, value in attrs]
    assert not [a for a in attributes if a[0].startswith(("on", "hx-"))]
    assert not [a for a in attributes if "javascript:" in a[1].lower()]
    assert "Quelle nicht gefunden" in page or "source not found" in page


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Return the real elements of `html` (escaped text does not count)."""
    from html.parser import HTMLParser

    found: list = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_transcript_pages_stay_out_of_caches(client, alice) -> None:
    from tests.factories import protocol_for

    job, protocol = protocol_for(alice)
    client.force_login(alice)
    for url in (
        f"/assistenten/auftraege/{job.pk}/",
        f"/assistenten/protokolle/{protocol.pk}/",
        "/assistenten/protokoll/neu/",
    ):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"]
        assert 'hx-history="false"' in response.content.decode()


def test_demo_model_notice_on_every_assistant_page(client, alice, settings) -> None:
    from tests.factories import protocol_for

    settings.LLM_DEMO_MODEL = True
    job, protocol = protocol_for(alice)
    client.force_login(alice)
    for url in (
        "/assistenten/",
        "/assistenten/protokoll/neu/",
        f"/assistenten/auftraege/{job.pk}/",
        f"/assistenten/protokolle/{protocol.pk}/",
    ):
        page = client.get(url).content.decode()
        assert "bis die Administration ein echtes Modell installiert" in page, url
        assert "PORTAL_LLM_MODEL_PATH" not in page, url  # no setting names for employees


def test_model_status_page_reads_the_gguf_header(client, ada, settings, tiny_chat_model) -> None:
    settings.LLM_MODEL_PATH = tiny_chat_model
    client.force_login(ada)
    page = client.get("/assistenten/modell/").content.decode()
    assert "llama" in page
    assert "F16" in page  # quantisation from general.file_type


def test_uploaded_docx_is_read(client, alice, django_capture_on_commit_callbacks) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Anna: Wir beschließen den Pilot.")
    buffer = io.BytesIO()
    document.save(buffer)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/assistenten/protokoll/neu/",
            _form(upload=SimpleUploadedFile("notizen.docx", buffer.getvalue())),
        )
    assert response.status_code == 302
    assert "Pilot" in GenerationJob.objects.get().input_text


def test_your_protocols_are_meeting_protocols_and_reports_have_their_own_list(client, ada) -> None:
    from tests.factories import protocol_for, report_for

    protocol_for(ada, title="Jour fixe Einkauf")
    report_for(ada, title="Statusbericht Mai")
    job, _protocol = protocol_for(ada, title="Newsletter-Entwurf")
    GenerationJob.objects.filter(pk=job.pk).update(kind="newsletter")
    client.force_login(ada)
    page = client.get("/assistenten/").content.decode()
    protocols, _, rest = page.partition('id="reports-h"')
    assert "Jour fixe Einkauf" in protocols and "Statusbericht Mai" not in protocols
    assert "Statusbericht Mai" in rest
    assert "Newsletter-Entwurf" not in page  # it lives in the newsletter editor
    home = client.get("/").content.decode()
    assert "Jour fixe Einkauf" in home and "Statusbericht Mai" not in home
