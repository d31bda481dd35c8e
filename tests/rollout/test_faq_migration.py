"""Migration 0013: "published" and the answer of a published question stored once."""

from __future__ import annotations

from datetime import date

import pytest

from tests.migrations import migrate_to

BEFORE = [("rollout", "0012_help_channel_permissions")]
AFTER = [("rollout", "0013_question_published_once")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrations_restored")
def test_published_questions_keep_their_entry_and_lose_only_the_copy() -> None:
    apps = migrate_to(BEFORE)
    Category = apps.get_model("rollout", "FaqCategory")
    Entry = apps.get_model("rollout", "FaqEntry")
    Question = apps.get_model("rollout", "Question")
    category = Category.objects.create(name_de="Allgemein")
    entry = Entry.objects.create(
        category=category, question_de="Frage?", answer_de="Antwort.", reviewed_on=date.today()
    )
    published = Question.objects.create(
        text="Frage",
        status="published",
        answer="Antwort.",
        faq_entry=entry,
        received_on=date.today(),
    )
    orphan = Question.objects.create(  # its entry was deleted under the old SET_NULL rule
        text="Zweite", status="published", answer="Direkt.", received_on=date.today()
    )
    answered = Question.objects.create(
        text="Dritte", status="answered", answer="Bleibt.", received_on=date.today()
    )

    apps = migrate_to(AFTER)
    Question = apps.get_model("rollout", "Question")
    rows = {q.pk: (q.status, q.answer, q.faq_entry_id) for q in Question.objects.all()}
    assert rows == {
        published.pk: ("answered", "", entry.pk),  # published: the entry answers
        orphan.pk: ("answered", "Direkt.", None),  # nothing lost
        answered.pk: ("answered", "Bleibt.", None),
    }
