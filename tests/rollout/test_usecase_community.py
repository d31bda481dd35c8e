"""Votes, following, comments with mails to owner and followers, files with checked uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import AuditEntry, User
from rollout.models import UseCase, UseCaseAttachment, UseCaseComment, UseCaseVote
from rollout.usecases.mail import usecase_mail_send
from rollout.usecases.tasks import usecase_mail
from tests.rollout.test_usecase_workflow import move
from tests.rollout.test_usecases import make_use_case

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% Beispiel\n" + b"0" * 100


@pytest.fixture(autouse=True)
def _english(cast) -> None:
    User.objects.filter(pk__in=[p.pk for p in cast.values()]).update(preferred_language="en")


def run_mail_tasks(callbacks) -> int:
    """Run the captured `delay_on_commit` mail tasks as the worker would; return how many."""
    name = usecase_mail.name
    tasks = [c for c in callbacks if getattr(c.func.__self__, "name", "") == name]
    for callback in tasks:
        callback.func.__self__(*callback.args, **callback.keywords)
    return len(tasks)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_votes_toggle_and_count(client, alice, bob, charlie) -> None:
    use_case = make_use_case(bob)
    url = f"/anwendungsfaelle/{use_case.pk}/stimme/"
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    fragment = client.post(url, HTTP_HX_REQUEST="true")  # taken back, answered as a fragment
    assert fragment.status_code == 200
    assert "0 people would use this too" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    client.post(url)
    client.force_login(charlie)
    client.post(url)
    assert UseCaseVote.objects.filter(use_case=use_case).count() == 2
    page = client.get(f"/anwendungsfaelle/{use_case.pk}/").content.decode()
    assert "2 people would use this too" in page and 'aria-pressed="true"' in page
    client.force_login(bob)  # the owner cannot vote for their own use case
    response = client.post(url, follow=True)
    assert "cannot vote for your own" in response.content.decode()
    assert UseCaseVote.objects.filter(use_case=use_case).count() == 2
    assert client.post("/anwendungsfaelle/999999/stimme/").status_code == 404


def test_comments_mail_owner_and_followers_but_not_the_author(
    client, alice, bob, charlie, rita, django_capture_on_commit_callbacks
) -> None:
    use_case = make_use_case(bob, contributors=[rita])
    client.force_login(charlie)
    client.post(f"/anwendungsfaelle/{use_case.pk}/folgen/")
    client.force_login(alice)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/anwendungsfaelle/{use_case.pk}/kommentare/",
            {"body": "Gute Idee!\n<b>Fett</b> & mehr"},
        )
    assert response.status_code == 302
    assert mail.outbox == []  # nothing before the commit
    assert run_mail_tasks(callbacks) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([bob.email, rita.email, charlie.email])
    message = mail.outbox[0]
    assert message.subject == f"New comment: {use_case.title}"
    assert "Alice Schneider commented" in message.body and "<b>Fett</b> & mehr" in message.body
    assert f"/anwendungsfaelle/{use_case.pk}/" in message.body
    page = client.get(f"/anwendungsfaelle/{use_case.pk}/").content.decode()
    assert "Gute Idee!<br>&lt;b&gt;Fett&lt;/b&gt; &amp; mehr" in page
    assert AuditEntry.objects.filter(action="usecase.commented", actor=alice).exists()


def test_status_changes_mail_everyone_but_the_actor(
    alice, bob, rita, django_capture_on_commit_callbacks
) -> None:
    use_case = make_use_case(bob)
    use_case.follows.create(user=alice)
    with django_capture_on_commit_callbacks() as callbacks:
        move(use_case, bob, UseCase.Status.IN_REVIEW)
    run_mail_tasks(callbacks)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        move(use_case, rita, UseCase.Status.REJECTED, "Doppelt vorhanden")
    run_mail_tasks(callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    message = mail.outbox[0]
    assert message.subject == f"{use_case.title}: now rejected"
    assert "Doppelt vorhanden" in message.body and "from “in review” to “rejected”" in message.body


def test_a_late_mail_about_a_deleted_comment_is_not_sent(alice, bob) -> None:
    use_case = make_use_case(bob)
    comment = UseCaseComment.objects.create(use_case=use_case, author=alice, body="Hallo")
    comment_id = comment.pk
    comment.delete()
    usecase_mail(bob.pk, "comment", comment_id)  # the task, delivered late
    assert mail.outbox == []
    assert not usecase_mail_send(user_id=999999, kind="comment", ref_id=comment_id)


def test_bad_comments_keep_the_text_and_save_nothing(client, alice, bob) -> None:
    use_case = make_use_case(bob)
    client.force_login(alice)
    url = f"/anwendungsfaelle/{use_case.pk}/kommentare/"
    long = "Sehr lang. " * 300
    response = client.post(url, {"body": long})
    assert response.status_code == 200
    page = response.content.decode()
    assert "at most 3000 are allowed" in page and long.strip() in page
    assert "This field is required" in client.post(url, {"body": "   "}).content.decode()
    assert not UseCaseComment.objects.exists()


def test_comments_are_deleted_by_their_author_or_an_admin(client, alice, bob, ada) -> None:
    use_case = make_use_case(bob)
    first = UseCaseComment.objects.create(use_case=use_case, author=alice, body="Eins")
    second = UseCaseComment.objects.create(use_case=use_case, author=alice, body="Zwei")
    client.force_login(bob)  # the owner of the use case is not the author
    client.post(f"/anwendungsfaelle/{use_case.pk}/kommentare/{first.pk}/loeschen/")
    assert UseCaseComment.objects.count() == 2
    client.force_login(alice)
    client.post(f"/anwendungsfaelle/{use_case.pk}/kommentare/{first.pk}/loeschen/")
    client.force_login(ada)
    client.post(f"/anwendungsfaelle/{use_case.pk}/kommentare/{second.pk}/loeschen/")
    assert not UseCaseComment.objects.exists()
    url = f"/anwendungsfaelle/{use_case.pk}/kommentare/{first.pk}/loeschen/"
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405


def test_following_toggles(client, alice, bob) -> None:
    use_case = make_use_case(bob)
    client.force_login(alice)
    url = f"/anwendungsfaelle/{use_case.pk}/folgen/"
    assert "Unfollow" in client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert use_case.follows.filter(user=alice).exists()
    client.post(url)
    assert not use_case.follows.exists()


def test_files_are_checked_and_served_as_attachments(
    client, cast, _media, django_capture_on_commit_callbacks
) -> None:
    alice, charlie = cast["alice"], cast["charlie"]
    use_case = make_use_case(alice)
    url = f"/anwendungsfaelle/{use_case.pk}/dateien/neu/"
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    client.force_login(alice)
    for name, content, error in (
        ("skript.exe", b"MZ\x90\x00", "cannot be added"),
        ("folien.pdf", b"<html><script>", "does not match its type"),
        ("seite.html", b"<script>alert(1)</script>", "cannot be added"),
    ):
        response = client.post(url, {"title": "", "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200 and error in response.content.decode(), name
    assert not UseCaseAttachment.objects.exists()
    response = client.post(
        url, {"title": "Beispiel", "file": SimpleUploadedFile("../Beispiel Ausgabe.PDF", PDF)}
    )
    assert response.status_code == 302
    attachment = UseCaseAttachment.objects.get()
    assert attachment.file.name == f"rollout/usecases/{use_case.pk}/beispiel-ausgabe.pdf"
    download = f"/anwendungsfaelle/{use_case.pk}/dateien/{attachment.pk}/"
    for member in cast.values():  # use cases and their files are visible to everyone
        client.force_login(member)
        response = client.get(download)
        assert response.status_code == 200, member
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="beispiel-ausgabe.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
    other = make_use_case(charlie, "Anderer")
    assert client.get(f"/anwendungsfaelle/{other.pk}/dateien/{attachment.pk}/").status_code == 404
    remove = f"/anwendungsfaelle/{use_case.pk}/dateien/{attachment.pk}/entfernen/"
    client.force_login(charlie)
    assert client.post(remove).status_code == 403
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remove).status_code == 302
    assert not UseCaseAttachment.objects.exists()
    assert not (_media / attachment.file.name).exists()
    assert AuditEntry.objects.filter(action="usecase.attachment_removed").exists()
