"""Composing an issue: validation, live preview, suggested sections, German UI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Issue
from portal.models import AuditEntry
from rollout.models import Event, FaqCategory, FaqEntry, UseCase
from tests.newsletter.html import tags

NEW = "/newsletter/verwaltung/neu/"
PREVIEW = "/newsletter/verwaltung/vorschau/"
SUGGEST = "/newsletter/verwaltung/vorschlaege/"
EVIL = 'Hallo <script>alert(1)</script> <img src=x onerror="alert(2)"> [klick](javascript:alert(3))'


def _category() -> FaqCategory:
    return FaqCategory.objects.get_or_create(name_de="Grundlagen")[0]


def _form(**over) -> dict:
    return {
        "subject_de": "Neues aus dem KI-Programm",
        "body_de": "## Termine\n\nDie **Community-Runde** findet statt.",
        "subject_en": "",
        "body_en": "",
        "audience": "everyone",
        **over,
    }


def test_admin_creates_a_draft_and_the_audit_keeps_no_text(client, ada) -> None:
    client.force_login(ada)
    response = client.post(NEW, _form())
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/newsletter/verwaltung/{issue.pk}/versand/"
    assert issue.status == Issue.Status.DRAFT and issue.created_by == ada
    entry = AuditEntry.objects.get(action="newsletter.issue_created")
    assert "Community" not in str(entry.details) and "KI-Programm" not in str(entry.details)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"subject_de": "  "}, "subject_de"),
        ({"body_de": ""}, "body_de"),
        ({"body_de": "x" * 50001}, "body_de"),
        ({"subject_de": "x" * 201}, "subject_de"),
        ({"subject_en": "News", "body_en": ""}, "body_en"),
        ({"audience": "roles"}, "roles"),
        ({"audience": "departments"}, "departments"),
        ({"audience": "event"}, "event"),
        ({"audience": "nobody"}, "audience"),
    ],
)
def test_bad_input_gives_a_form_error_and_saves_nothing(client, ada, over, field) -> None:
    client.force_login(ada)
    response = client.post(NEW, _form(**over))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Issue.objects.exists()


def test_huge_body_error_names_the_length(client, ada) -> None:
    client.force_login(ada)
    response = client.post(NEW, _form(body_de="x" * 50001))
    assert "50001" in response.context["form"].errors["body_de"][0]


def test_edit_keeps_roles_and_drops_choices_of_other_audiences(client, ada, bob) -> None:
    client.force_login(ada)
    client.post(NEW, _form(audience="roles", roles=["multiplier", "reviewer"]))
    issue = Issue.objects.get()
    assert issue.roles == ["multiplier", "reviewer"]
    response = client.post(
        f"/newsletter/verwaltung/{issue.pk}/bearbeiten/",
        _form(subject_de="Geändert", roles=["multiplier"]),
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.subject_de, issue.audience, issue.roles) == ("Geändert", "everyone", [])


def test_a_sent_issue_cannot_be_edited(client, ada) -> None:
    issue = Issue.objects.create(subject_de="Alt", body_de="Text", status=Issue.Status.SENT)
    client.force_login(ada)
    response = client.post(f"/newsletter/verwaltung/{issue.pk}/bearbeiten/", _form())
    assert response.status_code == 302
    assert response["Location"].endswith("/status/")
    issue.refresh_from_db()
    assert issue.subject_de == "Alt"


def test_preview_renders_the_mail_and_html_in_markdown_harmless(client, ada) -> None:
    client.force_login(ada)
    response = client.post(PREVIEW, _form(body_de=EVIL), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<iframe" in page and 'sandbox=""' in page
    assert not {tag for tag, _ in tags(page)} & {"script", "img"}
    srcdoc = response.context["preview"]["versions"][0][1]
    found = tags(srcdoc)
    assert not {tag for tag, _ in found} & {"script", "img"}
    assert not [name for _, attrs in found for name, _ in attrs if name.startswith("on")]
    assert not [v for _, attrs in found for n, v in attrs if n == "href" and "javascript" in v]
    assert "&lt;script&gt;" in srcdoc  # the text's HTML is shown as text
    assert "Neues aus dem KI-Programm" in srcdoc
    # the page's CSP would block inline styles in the frame (and log each): none are sent
    assert not [n for _, attrs in found for n, _ in attrs if n == "style"]


def test_preview_shows_english_when_given_and_needs_no_saved_issue(client, ada) -> None:
    client.force_login(ada)
    response = client.post(
        PREVIEW, _form(subject_en="News from the AI programme", body_en="Hello **all**.")
    )
    versions = response.context["preview"]["versions"]
    assert len(versions) == 2
    assert "News from the AI programme" in versions[1][1]
    assert not Issue.objects.exists()


def test_preview_without_javascript_is_part_of_the_compose_page(client, ada) -> None:
    client.force_login(ada)
    response = client.post(NEW, _form(action="preview", subject_de=""))
    assert response.status_code == 200
    assert "<iframe" in response.content.decode()
    assert not response.context["form"].errors  # nothing was saved, nothing to complain about
    assert not Issue.objects.exists()


def test_preview_and_suggestions_are_for_admins_only(client, alice, walter) -> None:
    for person in (alice, walter):
        client.force_login(person)
        assert client.post(PREVIEW, _form()).status_code == 403
        assert client.post(SUGGEST, _form()).status_code == 403
    client.logout()
    assert client.post(PREVIEW, _form()).status_code == 302
    assert client.get(PREVIEW).status_code == 405


def test_suggestions_list_activity_since_the_last_issue(client, ada, bob) -> None:
    now = timezone.now()
    Issue.objects.create(
        subject_de="Vorige", body_de="x", status=Issue.Status.SENT, sent_at=now - timedelta(days=7)
    )
    old = FaqEntry.objects.create(
        question_de="Alte Frage?", answer_de="a", category=_category(), reviewed_on=now.date()
    )
    FaqEntry.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=30))
    FaqEntry.objects.create(
        question_de="Darf ich Kundendaten eingeben?",
        answer_de="a",
        category=_category(),
        reviewed_on=now.date(),
    )
    UseCase.objects.create(
        title="Angebote *schneller* schreiben", problem="p", solution="s", owner=bob
    )
    start = now + timedelta(days=5)
    Event.objects.create(
        kind=Event.Kind.COMMUNITY_ROUND,
        title="Community-Runde",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=10,
    )
    far = now + timedelta(days=40)
    Event.objects.create(
        kind=Event.Kind.TRAINING,
        title="Zu spät",
        starts_at=far,
        ends_at=far + timedelta(hours=1),
        capacity=10,
    )
    client.force_login(ada)
    response = client.post(SUGGEST, _form(body_de="Liebe Kolleg:innen,"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.context["field"].value()
    assert text.startswith("Liebe Kolleg:innen,\n\n## ")
    assert "Darf ich Kundendaten eingeben?" in text and "Alte Frage" not in text
    assert r"Angebote \*schneller\* schreiben" in text  # Markdown in a title is escaped
    assert "Community-Runde" in text and "Zu spät" not in text
    assert 'id="field-body_de"' in response.content.decode()


def test_suggestions_work_without_javascript(client, ada) -> None:
    FaqEntry.objects.create(
        question_de="Was ist ein Prompt?",
        answer_de="a",
        category=_category(),
        reviewed_on=timezone.localdate(),
    )
    client.force_login(ada)
    response = client.post(NEW, _form(action="suggest", body_de="Hallo"))
    assert response.status_code == 200
    assert "Was ist ein Prompt?" in response.context["form"]["body_de"].value()
    assert not Issue.objects.exists()


def test_compose_page_speaks_german(client, ada) -> None:
    client.force_login(ada)
    html = client.get(NEW, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in html
    assert "Abbrechen" in html and "Rollen" in html and "Cancel" not in html


def test_suggestions_include_validated_use_cases_office_hours_and_progress(bob) -> None:
    from datetime import time

    from newsletter.services.suggestions import suggested_sections
    from rollout.models import Milestone, OfficeHour, OfficeHourSlot, Phase, Programme

    now = timezone.now()
    today = timezone.localdate()
    UseCase.objects.create(
        title="Protokolle im Vertrieb",
        problem="p",
        solution="s",
        owner=bob,
        status=UseCase.Status.VALIDATED,
        status_changed_at=now - timedelta(days=2),
    )
    programme = Programme.objects.create(name="KI im Büroalltag", organisation="Hallberg")
    phase = Phase.objects.create(
        programme=programme,
        number=3,
        kind=Phase.Kind.USE_CASES,
        title="Use Cases in den Teams",
        goal="g",
        status=Phase.Status.ACTIVE,
        planned_start=today - timedelta(days=10),
        planned_end=today + timedelta(days=10),
    )
    Milestone.objects.create(
        phase=phase, title="Zehn Use Cases validiert", due_on=today, done_on=today
    )
    hour = OfficeHour.objects.create(
        host=bob,
        topic="Prompting-Sprechstunde",
        first_date=today + timedelta(days=3),
        start_time=time(10),
        end_time=time(11),
    )
    start = now + timedelta(days=3)
    OfficeHourSlot.objects.create(
        office_hour=hour, starts_at=start, ends_at=start + timedelta(minutes=20)
    )
    text = suggested_sections()
    assert "Protokolle im Vertrieb" in text
    assert "Prompting-Sprechstunde" in text and "Bob Wagner" in text
    assert "Use Cases in den Teams" in text and "Zehn Use Cases validiert" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(headings) == 4  # new and validated use cases, office hours, progress
