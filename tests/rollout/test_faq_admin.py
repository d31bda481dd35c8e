"""FAQ management: entries, categories, reviews and the stale list; the office-hour hook;
the demo FAQ."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from portal.models import AuditEntry, User
from rollout.faq.services import FaqError, faq_entry_from_office_hour
from rollout.models import FaqCategory, FaqEntry, Question

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _english(cast, settings) -> None:
    settings.EMBEDDING_MODEL_PATH = None
    settings.FAQ_STALE_DAYS = 180
    User.objects.filter(pk__in=[p.pk for p in cast.values()]).update(preferred_language="en")
    for person in cast.values():
        person.refresh_from_db()


@pytest.fixture
def category() -> FaqCategory:
    return FaqCategory.objects.create(name_de="Datenschutz", name_en="Data protection")


def _entry(category: FaqCategory, question: str, reviewed: date, **fields) -> FaqEntry:
    return FaqEntry.objects.create(
        category=category, question_de=question, answer_de="Antwort", reviewed_on=reviewed, **fields
    )


@time_machine.travel(TODAY, tick=False)
def test_create_entry_german_required_english_optional(client, ada, category) -> None:
    client.force_login(ada)
    data = {"category": category.pk, "question_de": "", "answer_de": "", "published": "on"}
    response = client.post("/faq/verwaltung/neu/", data)
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    data |= {"question_de": "Frage?", "answer_de": "Antwort.", "question_en": "Question?"}
    response = client.post("/faq/verwaltung/neu/", data)
    assert "English question and answer together" in response.content.decode()
    assert not FaqEntry.objects.exists()
    data |= {"answer_en": "Answer."}
    response = client.post("/faq/verwaltung/neu/", data)
    entry = FaqEntry.objects.get()
    assert response["Location"] == f"/faq/{entry.pk}/"
    assert (entry.reviewed_on, entry.reviewed_by, entry.published) == (TODAY, ada, True)
    audit = AuditEntry.objects.get(action="faq.entry_created")
    assert audit.details == {"category": category.pk, "published": True, "source": "manual"}


def test_huge_input_is_a_form_error(client, ada, category) -> None:
    client.force_login(ada)
    data = {"category": category.pk, "question_de": "x" * 301, "answer_de": "y" * 10001}
    html = client.post("/faq/verwaltung/neu/", data).content.decode()
    assert "has 301 characters; at most 300" in html and "has 10001 characters" in html
    assert not FaqEntry.objects.exists()


def test_edit_marks_reviewed_only_when_ticked(client, ada, category) -> None:
    entry = _entry(category, "Alt?", date(2025, 1, 1))
    client.force_login(ada)
    page = client.get(f"/faq/{entry.pk}/bearbeiten/").content.decode()
    assert "Alt?" in page
    data = {"category": category.pk, "question_de": "Neu?", "answer_de": "Neue Antwort"}
    assert client.post(f"/faq/{entry.pk}/bearbeiten/", data).status_code == 302
    entry.refresh_from_db()
    assert (entry.question_de, entry.reviewed_on) == ("Neu?", date(2025, 1, 1))
    client.post(f"/faq/{entry.pk}/bearbeiten/", data | {"reviewed": "on"})
    entry.refresh_from_db()
    assert entry.reviewed_on == date.today() and entry.reviewed_by == ada


@time_machine.travel(TODAY, tick=False)
def test_stale_list_and_mark_reviewed(client, ada, category, django_assert_max_num_queries) -> None:
    old = _entry(category, "Sehr alt?", TODAY - timedelta(days=400))
    edge = _entry(category, "Genau an der Grenze?", TODAY - timedelta(days=180))
    older = _entry(category, "Etwas alt?", TODAY - timedelta(days=181), published=False)
    client.force_login(ada)
    with django_assert_max_num_queries(10):
        page = client.get("/faq/verwaltung/veraltet/").content.decode()
    assert page.index("Sehr alt?") < page.index("Etwas alt?")
    assert "Genau an der Grenze?" not in page
    response = client.post(f"/faq/{old.pk}/geprueft/", {"next": "stale"})
    assert response["Location"] == "/faq/verwaltung/veraltet/"
    old.refresh_from_db()
    assert (old.reviewed_on, old.reviewed_by) == (TODAY, ada)
    page = client.get("/faq/verwaltung/veraltet/").content.decode()
    assert "Sehr alt?" not in page and "Etwas alt?" in page
    assert "1 entry due for review" in client.get("/faq/verwaltung/").content.decode()
    assert edge.pk and older.pk


def test_unpublish_and_publish_again(client, ada, alice, category) -> None:
    entry = _entry(category, "Sichtbar?", date(2026, 1, 1))
    client.force_login(ada)
    assert (
        client.post(f"/faq/{entry.pk}/veroeffentlichung/", {"published": "no"}).status_code == 302
    )
    entry.refresh_from_db()
    assert entry.published is False
    assert "Sichtbar?" in client.get("/faq/verwaltung/?zeige=unveroeffentlicht").content.decode()
    client.post(f"/faq/{entry.pk}/veroeffentlichung/", {"published": "bogus"})
    entry.refresh_from_db()
    assert entry.published is False
    client.force_login(alice)
    assert client.get(f"/faq/{entry.pk}/").status_code == 404
    client.force_login(ada)
    client.post(f"/faq/{entry.pk}/veroeffentlichung/", {"published": "yes"})
    entry.refresh_from_db()
    assert entry.published is True
    actions = list(
        AuditEntry.objects.filter(target_type="rollout.faqentry", target_id=str(entry.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["faq.entry_unpublished", "faq.entry_published"]


def test_post_only_management_steps_need_the_faq_team(client, cast, category) -> None:
    entry = _entry(category, "Frage?", date(2025, 1, 1))
    for member in ("alice", "bob", "rita", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.post(f"/faq/{entry.pk}/geprueft/").status_code == 403
        assert (
            client.post(f"/faq/{entry.pk}/veroeffentlichung/", {"published": "no"}).status_code
            == 403
        )
    client.force_login(cast["ada"])
    assert client.get(f"/faq/{entry.pk}/geprueft/").status_code == 405
    assert client.post("/faq/999999/geprueft/").status_code == 404
    entry.refresh_from_db()
    assert entry.published and entry.reviewed_on == date(2025, 1, 1)


def test_categories_create_and_edit(client, ada, category) -> None:
    client.force_login(ada)
    response = client.post("/faq/kategorien/", {"name_de": "", "name_en": "", "order": 1})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post("/faq/kategorien/", {"name_de": "Prompting", "order": 5})
    assert response.status_code == 302
    created = FaqCategory.objects.get(name_de="Prompting")
    response = client.post(
        f"/faq/kategorien/{created.pk}/",
        {"name_de": "Prompting", "name_en": "Prompting", "order": -1},
    )
    assert response.status_code == 200
    client.post(f"/faq/kategorien/{created.pk}/", {"name_de": "Prompts", "name_en": "", "order": 3})
    created.refresh_from_db()
    assert (created.name_de, created.order) == ("Prompts", 3)
    assert "Prompts" in client.get("/faq/kategorien/").content.decode()
    assert client.get("/faq/kategorien/999999/").status_code == 404


def test_office_hour_hook_creates_a_published_entry(bob, category) -> None:
    entry = faq_entry_from_office_hour(
        question="  Wie lange dauert ein Protokoll?  ",
        answer="Ein paar Sekunden.",
        category=category,
        by=bob,
    )
    assert (entry.question_de, entry.published, entry.reviewed_by) == (
        "Wie lange dauert ein Protokoll?",
        True,
        bob,
    )
    assert AuditEntry.objects.get(action="faq.entry_created").details["source"] == "office_hour"
    default = faq_entry_from_office_hour(question="F?", answer="A.", category=None, by=bob)
    assert default.category.name_de == "Aus den Sprechstunden"
    again = faq_entry_from_office_hour(question="G?", answer="B.", category=None, by=bob)
    assert again.category == default.category
    for question, answer in (("", "A"), ("F?", " "), ("x" * 301, "A"), ("F?", "y" * 10001)):
        with pytest.raises(FaqError):
            faq_entry_from_office_hour(question=question, answer=answer, category=None, by=bob)
    assert FaqEntry.objects.count() == 3


def test_demo_faq_is_idempotent_and_has_stale_entries(settings) -> None:
    from portal.demo import seed_people
    from rollout.demo.faq import ENTRIES, seed_faq

    seed_people(lambda line: None)
    lines: list[str] = []
    seed_faq(lines.append)
    seed_faq(lines.append)
    assert lines[1] == "Demo FAQ already present."
    assert FaqEntry.objects.count() == len(ENTRIES) >= 28
    english = FaqEntry.objects.exclude(question_en="").count()
    assert len(ENTRIES) * 0.4 <= english <= len(ENTRIES) * 0.7
    stale = date.today() - timedelta(days=settings.FAQ_STALE_DAYS)
    assert FaqEntry.objects.filter(reviewed_on__lt=stale).count() == 2
    statuses = [q.shown_status for q in Question.objects.all()]
    assert statuses.count("open") == 3 and "answered" in statuses and "published" in statuses
    assert Question.objects.filter(status="open", asker__isnull=True).count() == 1
    assert Question.objects.in_status("published").get().answer == ""  # the entry answers
    assert mail.outbox == []
