"""The question inbox: ask → answer → mail → publish as FAQ entry; anonymity; receipts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from portal.models import AuditEntry, User
from portal.tasks import MAIL_ERRORS
from rollout.faq.mail import question_mail_send
from rollout.faq.questions import question_answer, question_ask, question_close
from rollout.faq.services import FaqError
from rollout.faq.tasks import faq_question_mail
from rollout.models import FaqCategory, FaqEntry, Question

pytestmark = pytest.mark.django_db
S = Question.Status


@pytest.fixture(autouse=True)
def _english(cast) -> None:
    # English UI: assertions on wording do not depend on the German catalogue.
    User.objects.filter(pk__in=[p.pk for p in cast.values()]).update(preferred_language="en")
    for person in cast.values():
        person.refresh_from_db()


@pytest.fixture
def category() -> FaqCategory:
    return FaqCategory.objects.create(name_de="Protokollgenerator", name_en="Protocol generator")


def run_tasks(callbacks) -> list[tuple]:
    """Run captured `delay_on_commit` calls as the worker would; return (task, args)."""
    ran = []
    for callback in callbacks:
        task = callback.func.__self__
        task(*callback.args, **callback.keywords)
        ran.append((task.name.rsplit(".", 1)[-1], *callback.args))
    return ran


def test_named_question_answered_mailed_and_published(
    client, alice, ada, category, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    response = client.post(
        "/faq/fragen/neu/",
        {"text": "Kann der Generator auch englische Besprechungen?", "category": category.pk},
    )
    assert response.status_code == 302 and response["Location"] == "/faq/fragen/"
    question = Question.objects.get()
    assert question.asker == alice and question.status == S.OPEN
    assert "englische Besprechungen" in client.get("/faq/fragen/").content.decode()

    client.force_login(ada)
    inbox = client.get("/faq/eingang/").content.decode()
    assert f"/faq/eingang/{question.pk}/" in inbox and "Alice Schneider" in inbox
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/faq/eingang/{question.pk}/", {"answer": "Ja, **auch** auf Englisch."}
        )
    assert response.status_code == 302
    assert run_tasks(callbacks) == [("faq_question_mail", question.pk, "answered")]
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "Ja, **auch** auf Englisch." in message.body
    assert f"/faq/fragen/meine/{question.pk}/" in message.body
    assert question.receipt not in message.body
    question.refresh_from_db()
    assert (question.status, question.answered_by) == (S.ANSWERED, ada)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/faq/eingang/{question.pk}/veroeffentlichen/",
            {
                "category": category.pk,
                "question_de": "Fasst der Generator englische Besprechungen zusammen?",
                "answer_de": "Ja, auch auf Englisch.",
                "question_en": "",
                "answer_en": "",
            },
        )
    entry = FaqEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/faq/{entry.pk}/"
    assert (entry.category, entry.published, entry.reviewed_by) == (category, True, ada)
    question.refresh_from_db()
    assert (question.shown_status, question.faq_entry, question.answer) == (S.PUBLISHED, entry, "")
    ran = run_tasks(callbacks)
    assert ("faq_question_mail", question.pk, "published") in ran
    assert len(mail.outbox) == 2 and f"/faq/{entry.pk}/" in mail.outbox[1].body

    # the asker sees the entry's answer (not the first, direct one) and the link to the entry
    client.force_login(alice)
    page = client.get(f"/faq/fragen/meine/{question.pk}/").content.decode()
    assert "Ja, auch auf Englisch." in page and f'href="/faq/{entry.pk}/"' in page
    assert "<strong>auch</strong>" not in page
    assert "Fasst der Generator" in client.get("/faq/").content.decode()


def test_receipt_follows_the_entry_which_cannot_be_deleted(client, alice, ada, category) -> None:
    from django.db.models import ProtectedError

    from rollout.faq.questions import question_publish
    from rollout.faq.services import faq_entry_set_published, faq_entry_update

    question = question_ask(text="Frage", category=None, asker=alice, anonymous=False)
    entry = question_publish(
        question=question, category=category, question_de="Frage?", answer_de="Alt.", by=ada
    )
    faq_entry_update(
        entry=entry,
        by=ada,
        category=category,
        question_de="Frage?",
        answer_de="Neu: **geprüft**.",
        question_en="Question?",
        answer_en="New: *checked*.",
    )
    client.force_login(alice)  # English, the entry's English answer
    receipt = f"/faq/fragen/meine/{question.pk}/"
    page = client.get(receipt).content.decode()
    assert "New: <em>checked</em>." in page and "Alt." not in page
    alice.preferred_language = "de"
    alice.save()
    assert "Neu: <strong>geprüft</strong>." in client.get(receipt).content.decode()
    alice.preferred_language = "en"
    alice.save()
    faq_entry_set_published(entry=entry, published=False, by=ada)
    page = client.get(receipt).content.decode()
    assert "revising the answer" in page and "checked" not in page
    with pytest.raises(ProtectedError):
        entry.delete()
    assert Question.objects.in_status(S.PUBLISHED).get() == question
    assert Question.objects.status_counts() == {"published": 1}


def test_every_step_is_audited_with_ids_only(alice, ada, category) -> None:
    text = "Geheime Frage mit Inhalt XYZ"
    question = question_ask(text=text, category=None, asker=alice, anonymous=False)
    question_answer(question=question, answer="Antwort ABC", by=ada)
    from rollout.faq.questions import question_publish

    question_publish(
        question=question, category=category, question_de="Frage?", answer_de="Antwort.", by=ada
    )
    other = question_ask(text="Zweite Frage", category=None, asker=alice, anonymous=False)
    question_close(question=other, by=ada)
    entries = AuditEntry.objects.filter(action__startswith="faq.").order_by("pk")
    assert [e.action for e in entries] == [
        "faq.question_asked",
        "faq.question_answered",
        "faq.entry_created",
        "faq.question_published",
        "faq.question_asked",
        "faq.question_closed",
    ]
    for entry in entries:
        dumped = str(entry.details)
        assert "XYZ" not in dumped and "ABC" not in dumped and "Frage" not in dumped


def test_anonymous_question_stores_no_asker_and_is_read_by_receipt(
    client, alice, charlie, ada, settings, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    response = client.post(
        "/faq/fragen/neu/", {"text": "Wird meine Stelle durch KI ersetzt?", "anonymous": "on"}
    )
    question = Question.objects.get()
    # The link is shown in the answer to the POST (no redirect); its key is the fragment,
    # which browsers never send: it reaches no request log.
    page = response.content.decode()
    assert response.status_code == 200 and "Keep this link" in page
    assert f"{settings.SITE_URL}/faq/fragen/beleg/#{question.receipt}" in page
    assert f"/{question.receipt}" not in page and "?" + question.receipt not in page
    # The row itself: no asker, a date without time of day; nothing else names alice.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM rollout_question WHERE id = %s", [question.pk])
        columns = [c.name for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    assert row["asker_id"] is None
    assert {c for c in columns if c.endswith("_id")} == {
        "asker_id",
        "answered_by_id",
        "category_id",
        "faq_entry_id",
    }
    assert str(alice.pk) not in {str(v) for k, v in row.items() if k != "id"}
    assert not AuditEntry.objects.filter(actor=alice).exists()
    assert not AuditEntry.objects.filter(target_type="rollout.question").exists()
    assert "Wird meine Stelle" not in client.get("/faq/fragen/").content.decode()

    page = client.post("/faq/fragen/beleg/", {"receipt": question.receipt}).content.decode()
    assert "Not answered yet" in page and "Keep this link" not in page

    client.force_login(ada)
    assert "anonymous" in client.get("/faq/eingang/").content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(f"/faq/eingang/{question.pk}/", {"answer": "Nein. Ziel ist Entlastung."})
    assert callbacks == [] and mail.outbox == []  # nobody to mail

    client.force_login(charlie)  # whoever holds the link reads it (it is the only key)
    link = f"{settings.SITE_URL}/faq/fragen/beleg/#{question.receipt}"
    page = client.post("/faq/fragen/beleg/", {"receipt": link}).content.decode()  # pasted
    assert "Nein. Ziel ist Entlastung." in page
    assert "Keep this link" not in page  # the first-visit notice is not repeated
    # A link handed out before, with the key in the path, still opens, and says so.
    page = client.get(f"/faq/fragen/{question.receipt}/").content.decode()
    assert "Nein. Ziel ist Entlastung." in page and link in page


def test_unknown_or_foreign_receipts_are_404(client, alice, charlie) -> None:
    client.force_login(alice)
    assert client.get("/faq/fragen/" + "x" * 32 + "/").status_code == 404
    assert client.get("/faq/fragen/kurz/").status_code == 404
    for posted in ["x" * 32, "", "kurz", "#" * 300]:
        response = client.post("/faq/fragen/beleg/", {"receipt": posted})
        assert response.status_code == 404 and "No anonymous question" in response.content.decode()
    page = client.get("/faq/fragen/beleg/").content.decode()
    assert 'id="receipt-open"' in page and "js/receipt.js" in page
    named = question_ask(text="Meine Frage", category=None, asker=alice, anonymous=False)
    assert client.get(f"/faq/fragen/meine/{named.pk}/").status_code == 200
    assert client.get(f"/faq/fragen/{named.receipt}/").status_code == 200
    # a named question is never opened by its receipt key: it is its asker's only
    assert client.post("/faq/fragen/beleg/", {"receipt": named.receipt}).status_code == 404
    client.force_login(charlie)
    assert client.get(f"/faq/fragen/meine/{named.pk}/").status_code == 404
    assert client.get(f"/faq/fragen/{named.receipt}/").status_code == 404


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "This field is required"),
        ("   \n  ", "This field is required"),
        ("x" * 3001, "has 3001 characters; at most 3000"),
    ],
)
def test_bad_questions_get_a_form_error_and_store_nothing(client, alice, text, error) -> None:
    client.force_login(alice)
    response = client.post("/faq/fragen/neu/", {"text": text})
    assert response.status_code == 200 and error in response.content.decode()
    assert not Question.objects.exists()


def test_bad_category_is_a_form_error(client, alice) -> None:
    client.force_login(alice)
    response = client.post("/faq/fragen/neu/", {"text": "Frage", "category": "999999"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Question.objects.exists()


def test_html_in_questions_and_answers_is_harmless(client, alice, ada) -> None:
    question = question_ask(
        text='<script>alert("q")</script> <b>fett</b>', category=None, asker=alice, anonymous=False
    )
    question_answer(
        question=question,
        answer='<img src=x onerror=alert(1)> [klick](javascript:alert(2)) <a href="x">a</a>',
        by=ada,
    )
    client.force_login(ada)
    for url in (f"/faq/eingang/{question.pk}/", "/faq/eingang/?status=answered"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;" in html
    client.force_login(alice)
    html = client.get(f"/faq/fragen/{question.receipt}/").content.decode()
    assert "<img" not in html and 'href="javascript' not in html and "<script>alert" not in html
    assert "&lt;img src=x" in html  # shown as text


def test_answer_form_errors_and_state_rules(client, alice, ada) -> None:
    question = question_ask(text="Frage", category=None, asker=alice, anonymous=False)
    client.force_login(ada)
    response = client.post(f"/faq/eingang/{question.pk}/", {"answer": "x" * 10001})
    assert response.status_code == 200 and "at most 10000" in response.content.decode()
    question.refresh_from_db()
    assert question.status == S.OPEN and question.answer == ""
    response = client.post(f"/faq/eingang/{question.pk}/schliessen/")
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == S.CLOSED
    with pytest.raises(FaqError):
        question_answer(question=question, answer="Zu spät", by=ada)
    page = client.post(f"/faq/eingang/{question.pk}/schliessen/", follow=True).content.decode()
    assert "already published or closed" in page
    assert client.get(f"/faq/eingang/{question.pk}/schliessen/").status_code == 405


def test_publish_needs_a_short_question_and_keeps_state_on_error(
    client, alice, ada, category
) -> None:
    question = question_ask(text="Lang " * 100, category=category, asker=alice, anonymous=False)
    client.force_login(ada)
    page = client.get(f"/faq/eingang/{question.pk}/").content.decode()
    assert "please write a short version" in page
    response = client.post(
        f"/faq/eingang/{question.pk}/veroeffentlichen/",
        {"category": category.pk, "question_de": "x" * 301, "answer_de": "Antwort"},
    )
    assert response.status_code == 200 and "at most 300" in response.content.decode()
    response = client.post(
        f"/faq/eingang/{question.pk}/veroeffentlichen/",
        {"category": category.pk, "question_de": "Frage?", "answer_de": "A", "answer_en": "B"},
    )
    assert "English question and answer together" in response.content.decode()
    assert not FaqEntry.objects.exists()
    question.refresh_from_db()
    assert question.status == S.OPEN and question.faq_entry is None


def test_publishing_an_open_question_answers_it(ada, alice, category) -> None:
    from rollout.faq.questions import question_publish

    question = question_ask(text="Frage", category=None, asker=None, anonymous=True)
    entry = question_publish(
        question=question, category=category, question_de="Frage?", answer_de="So.", by=ada
    )
    question.refresh_from_db()
    assert (question.answered_by, question.faq_entry, question.shown_status) == (
        ada,
        entry,
        "published",
    )
    assert question.answer == ""  # stored once: in the entry
    with pytest.raises(FaqError):
        question_publish(
            question=question, category=category, question_de="F?", answer_de="A", by=ada
        )
    assert FaqEntry.objects.count() == 1


def test_inbox_lists_by_status_with_constant_queries(
    client, ada, alice, django_assert_max_num_queries
) -> None:
    for n in range(12):
        question_ask(text=f"Frage {n}", category=None, asker=alice, anonymous=n % 2 == 0)
    client.force_login(ada)
    with django_assert_max_num_queries(12):
        page = client.get("/faq/eingang/").content.decode()
    assert page.count("/faq/eingang/") >= 12 and "(12)" in page
    assert "Frage 0" not in client.get("/faq/eingang/?status=closed").content.decode()
    assert client.get("/faq/eingang/?status=<bogus>").status_code == 200


def test_post_only_steps_need_the_faq_team(client, cast, category) -> None:
    question = question_ask(text="Frage", category=None, asker=cast["alice"], anonymous=False)
    data = {"category": category.pk, "question_de": "F?", "answer_de": "A"}
    for member in ("alice", "bob", "rita", "walter", "charlie"):
        client.force_login(cast[member])
        assert client.post(f"/faq/eingang/{question.pk}/veroeffentlichen/", data).status_code == 403
        assert client.post(f"/faq/eingang/{question.pk}/schliessen/").status_code == 403
    client.logout()
    assert client.post(f"/faq/eingang/{question.pk}/schliessen/").status_code == 302  # login
    question.refresh_from_db()
    assert question.status == S.OPEN
    client.force_login(cast["ada"])
    assert client.post("/faq/eingang/999999/schliessen/").status_code == 404


def test_mail_is_skipped_when_no_longer_true(alice, ada) -> None:
    question = question_ask(text="Frage", category=None, asker=alice, anonymous=False)
    assert question_mail_send(question_id=question.pk, kind="answered") is False  # no answer
    question_answer(question=question, answer="Antwort", by=ada)
    alice.is_active = False
    alice.save()
    assert question_mail_send(question_id=question.pk, kind="answered") is False
    assert question_mail_send(question_id=999999, kind="answered") is False
    assert question_mail_send(question_id=question.pk, kind="bogus") is False
    faq_question_mail(question.pk, "published")  # not published: nothing
    assert mail.outbox == []


def test_mail_is_in_the_askers_language(alice, ada) -> None:
    question = question_ask(text="Frage", category=None, asker=alice, anonymous=False)
    question_answer(question=question, answer="Antwort", by=ada)
    assert question_mail_send(question_id=question.pk, kind="answered") is True
    assert mail.outbox[0].subject == "Your question has been answered"


def test_mail_task_retries_only_transient_errors() -> None:
    assert faq_question_mail.autoretry_for == MAIL_ERRORS
