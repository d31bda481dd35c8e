"""Anonymous questions are unlinkable: random ids, and the hourly seal rewrites them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rollout.faq.questions import question_answer, question_ask, questions_seal
from rollout.faq.tasks import faq_questions_seal
from rollout.models import Question

pytestmark = pytest.mark.django_db


def _xmins(ids) -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, xmin::text::bigint FROM rollout_question WHERE id = ANY(%s)", [list(ids)]
        )
        return dict(cursor.fetchall())


def test_question_ids_are_random_not_sequential(alice) -> None:
    ids = [
        question_ask(text=f"Frage {i}", category=None, asker=alice, anonymous=True).pk
        for i in range(5)
    ]
    assert sorted(ids) != ids or max(ids) - min(ids) > 1000  # no counter to read an order from
    assert all(0 < pk < 2**53 for pk in ids)


def test_the_seal_rewrites_recent_anonymous_questions_in_one_transaction(alice, ada) -> None:
    anonymous = [
        question_ask(text=f"Anonym {i}", category=None, asker=alice, anonymous=True)
        for i in range(4)
    ]
    question_answer(question=anonymous[0], answer="Eine Antwort.", by=ada)
    named = question_ask(text="Mit Namen", category=None, asker=alice, anonymous=False)
    old = Question.objects.filter(asker__isnull=True, received_on__lt=timezone.localdate())
    assert not old.exists()
    before = {
        q.pk: (q.text, q.receipt, q.status, q.answer, q.received_on) for q in Question.objects.all()
    }
    named_xmin = _xmins([named.pk])[named.pk]

    assert questions_seal() == 4

    after = {
        q.pk: (q.text, q.receipt, q.status, q.answer, q.received_on) for q in Question.objects.all()
    }
    assert after == before  # same ids, same content: receipts and audit targets still hold
    sealed = _xmins([q.pk for q in anonymous])
    assert len(set(sealed.values())) == 1  # one transaction: no order among them
    assert named_xmin not in sealed.values()
    assert _xmins([named.pk])[named.pk] == named_xmin  # named questions are not touched


def test_older_questions_are_left_alone_and_the_task_runs(alice) -> None:
    question = question_ask(text="Alt", category=None, asker=alice, anonymous=True)
    Question.objects.filter(pk=question.pk).update(
        received_on=timezone.localdate() - timedelta(days=5)
    )
    assert questions_seal() == 0
    assert faq_questions_seal() == 0
