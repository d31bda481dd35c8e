"""The archive: sent issues for everyone signed in, in the reader's language; demo data."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from newsletter.demo import seed_newsletter
from newsletter.models import Delivery, Issue
from portal.demo import seed_people
from tests.newsletter.html import tags


def _sent(subject: str, days_ago: int, **fields) -> Issue:
    return Issue.objects.create(
        subject_de=subject,
        body_de=fields.pop("body_de", "Hallo **alle**."),
        status=Issue.Status.SENT,
        sent_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


def test_archive_lists_sent_issues_newest_first_for_everyone(
    client, cast, django_assert_max_num_queries
) -> None:
    old, new = _sent("Ausgabe 1", 40), _sent("Ausgabe 2", 3)
    Issue.objects.create(subject_de="Geheimer Entwurf", body_de="x")
    Issue.objects.create(
        subject_de="Geplant",
        body_de="x",
        status=Issue.Status.SCHEDULED,
        scheduled_for=timezone.now() + timedelta(days=1),
    )
    for member in cast.values():
        client.force_login(member)
        with django_assert_max_num_queries(8):
            response = client.get("/newsletter/")
        assert [i.pk for i in response.context["issues"]] == [new.pk, old.pk]
        html = response.content.decode()
        assert "Geheimer Entwurf" not in html and "Geplant" not in html


def test_drafts_are_not_visible_to_anyone_in_the_archive(client, alice, ada) -> None:
    draft = Issue.objects.create(subject_de="Entwurf", body_de="x")
    for person in (alice, ada):
        client.force_login(person)
        assert client.get(f"/newsletter/{draft.pk}/").status_code == 404


def test_issue_page_renders_markdown_and_makes_html_harmless(client, alice) -> None:
    issue = _sent(
        "Neu",
        1,
        body_de='## Termine\n\n<script>alert(1)</script> <img src=x onerror="alert(2)">\n\n'
        "[klick](javascript:alert(3)) und **fett**",
    )
    client.force_login(alice)
    response = client.get(f"/newsletter/{issue.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    found = tags(html.split('<div class="newsletter-body">')[1].split("</article>")[0])
    names = [tag for tag, _ in found]
    assert "h3" in names and "strong" in names  # the page owns h1, the subject
    assert "img" not in names and "script" not in names
    assert not [n for _, attrs in found for n, _ in attrs if n.startswith("on")]
    assert not [v for _, attrs in found for n, v in attrs if n == "href" and "javascript" in v]
    assert "&lt;script&gt;" in html


def test_issue_is_shown_in_english_when_present_and_preferred(client, alice) -> None:
    both = _sent("Neues aus dem Programm", 2, subject_en="News from the programme", body_en="Hi")
    german_only = _sent("Nur Deutsch", 1)
    client.force_login(alice)
    client.post("/sprache/", {"language": "en", "next": "/newsletter/"})
    response = client.get(f"/newsletter/{both.pk}/")
    assert response.context["shown"].subject == "News from the programme"
    response = client.get(f"/newsletter/{german_only.pk}/")
    assert response.context["shown"].subject == "Nur Deutsch" and response.context["fallback"]
    archive = client.get("/newsletter/").content.decode()
    assert "News from the programme" in archive and "Nur Deutsch" in archive
    client.post("/sprache/", {"language": "de", "next": "/newsletter/"})
    response = client.get(f"/newsletter/{both.pk}/")
    assert response.context["shown"].subject == "Neues aus dem Programm"


def test_archive_speaks_german(client, alice) -> None:
    _sent("Ausgabe", 1)
    client.force_login(alice)
    html = client.get("/newsletter/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in html
    assert "Sign out" not in html  # the shell around it is German


def test_demo_seeder_is_idempotent_and_sends_no_mail(db, mailoutbox) -> None:
    lines: list[str] = []
    seed_people(lines.append)
    seed_newsletter(lines.append)
    seed_newsletter(lines.append)
    assert Issue.objects.filter(status=Issue.Status.SENT).count() == 2
    assert Issue.objects.filter(status=Issue.Status.DRAFT).count() == 1
    first = Issue.objects.filter(status=Issue.Status.SENT).order_by("sent_at").first()
    assert first.subject_de.startswith("KI-Newsletter Nr. 1")
    assert Delivery.objects.filter(issue=first, status="sent").count() > 5
    assert not Delivery.objects.exclude(status="sent").exists()
    assert lines[-1] == "Demo newsletter already present."
    assert not mailoutbox
