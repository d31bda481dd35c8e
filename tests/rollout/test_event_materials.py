"""Materials: checked uploads and links, downloads only for seats, host and admins."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import AuditEntry
from rollout.common.files import safe_filename
from rollout.models import Event, EventMaterial, Registration

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% Folien\n" + b"0" * 100


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def event(bob, alice, charlie) -> Event:
    start = timezone.now() - timedelta(days=1)
    event = Event.objects.create(
        kind=Event.Kind.WORKSHOP,
        title="Early-Adopter-Workshop",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=1,
        seats_taken=1,
        host=bob,
    )
    Registration.objects.create(event=event, user=alice, status="confirmed")
    Registration.objects.create(event=event, user=charlie, status="waitlisted")
    return event


def _upload(client, event: Event, name: str, content: bytes, **data):
    return client.post(
        f"/termine/{event.pk}/material/neu/",
        {"title": "", "url": "", "file": SimpleUploadedFile(name, content), **data},
    )


def test_safe_filename() -> None:
    assert safe_filename("../../etc/Folien Kickoff (final).PDF") == "folien-kickoff-final.pdf"
    assert safe_filename("C:\\Users\\x\\Übersicht März.xlsx") == "ubersicht-marz.xlsx"
    assert safe_filename("....pdf") == "material.pdf"
    assert safe_filename("<script>.md") == "script.md"


def test_host_uploads_and_people_with_a_seat_download(client, cast, event, _media) -> None:
    client.force_login(cast["bob"])
    response = _upload(client, event, "../../Folien Kickoff (final).PDF", PDF, title="Folien")
    assert response.status_code == 302
    material = EventMaterial.objects.get()
    assert material.file.name == f"rollout/materials/{event.pk}/folien-kickoff-final.pdf"
    assert (_media / material.file.name).read_bytes() == PDF
    assert AuditEntry.objects.filter(action="event.material_added", actor=cast["bob"]).exists()
    url = f"/termine/{event.pk}/material/{material.pk}/"
    for member in ("alice", "bob", "ada"):
        client.force_login(cast[member])
        response = client.get(url)
        assert response.status_code == 200, member
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="folien-kickoff-final.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
    for member in ("charlie", "rita", "walter"):  # waiting, or not registered
        client.force_login(cast[member])
        assert client.get(url).status_code == 404, member
        assert "Folien" not in client.get(f"/termine/{event.pk}/").content.decode()
    client.force_login(cast["alice"])
    assert "Folien" in client.get(f"/termine/{event.pk}/").content.decode()
    assert client.get(f"/termine/{event.pk}/material/999999/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "cannot be added"),
        ("folien.pdf", b"<html><script>alert(1)</script>", "does not match"),
        ("bild.png", PDF, "does not match"),
        ("notizen.txt", b"\x00\x01\x02binary", "does not match"),
        ("notizen.md", "Umlaute: äöü".encode("latin-1"), "does not match"),
        ("ohne-endung", b"text", "cannot be added"),
    ],
)
def test_bad_files_get_a_clear_error(client, bob, event, name, content, message) -> None:
    bob.preferred_language = "en"
    bob.save()
    client.force_login(bob)
    response = _upload(client, event, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EventMaterial.objects.exists()


def test_size_limit_and_file_or_link(client, bob, event) -> None:
    bob.preferred_language = "en"
    bob.save()
    client.force_login(bob)
    too_big = PDF + b"0" * (20 * 1024 * 1024)
    assert "larger than 20 MB" in _upload(client, event, "gross.pdf", too_big).content.decode()
    both = _upload(client, event, "folien.pdf", PDF, url="https://intranet.firma.test/x")
    assert "either a file or a link" in both.content.decode()
    neither = client.post(f"/termine/{event.pk}/material/neu/", {"title": "Nichts"})
    assert "either a file or a link" in neither.content.decode()
    bad_link = client.post(
        f"/termine/{event.pk}/material/neu/", {"title": "x", "url": "javascript:alert(1)"}
    )
    assert bad_link.status_code == 200
    assert not EventMaterial.objects.exists()
    text = "Notizen: Prompting-Tipps äöü\n".encode()
    assert _upload(client, event, "notizen.md", text).status_code == 302
    link = client.post(
        f"/termine/{event.pk}/material/neu/",
        {"title": "Aufzeichnung", "url": "https://intranet.firma.test/aufzeichnung"},
    )
    assert link.status_code == 302
    assert EventMaterial.objects.count() == 2
    recording = EventMaterial.objects.get(title="Aufzeichnung")
    assert client.get(f"/termine/{event.pk}/material/{recording.pk}/").status_code == 404
    assert (
        "intranet.firma.test/aufzeichnung" in client.get(f"/termine/{event.pk}/").content.decode()
    )


def test_only_host_and_admins_add_and_remove(
    client, cast, event, _media, django_capture_on_commit_callbacks
) -> None:
    client.force_login(cast["bob"])
    _upload(client, event, "folien.pdf", PDF)
    material = EventMaterial.objects.get()
    path = _media / material.file.name
    remove = f"/termine/{event.pk}/material/{material.pk}/entfernen/"
    for member in ("alice", "charlie", "rita", "walter"):
        client.force_login(cast[member])
        assert client.get(f"/termine/{event.pk}/material/neu/").status_code == 403, member
        assert _upload(client, event, "x.pdf", PDF).status_code == 403, member
        assert client.post(remove).status_code == 403, member
    assert EventMaterial.objects.count() == 1
    client.force_login(cast["ada"])
    assert client.get(remove).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remove).status_code == 302
    assert not EventMaterial.objects.exists()
    assert not path.exists()  # the file went with its row
    assert AuditEntry.objects.filter(action="event.material_removed", actor=cast["ada"]).exists()


def test_a_missing_file_is_404_not_500(client, alice, event, _media) -> None:
    material = EventMaterial(event=event, title="Weg")
    material.file.name = "rollout/materials/gone.pdf"
    material.save()
    client.force_login(alice)
    assert client.get(f"/termine/{event.pk}/material/{material.pk}/").status_code == 404
