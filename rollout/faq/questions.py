"""The question inbox: asking (by name or anonymously), answering, publishing, closing.

States (Question.Status): open → answered → published; open → published (answer and
entry in one step); open or answered → closed. An answer may be corrected while the
question is answered (the asker is mailed again). "Published" is not stored: it is the
link to the FAQ entry, whose current answer is then the question's answer (no copy).

Anonymous means anonymous: such a question stores no asker, only the day it came in, and
asking it is not audited (an audit entry carries its actor and the time of day, which
would tie the question to the person). The asker reads the answer under the receipt link.
Audit entries of the inbox hold ids only, never the question's or the answer's text.
Ids are random (`new_question_id`), and the hourly seal rewrites recent anonymous
questions in random order in one transaction, so neither the id, nor the row's place in
the table, nor its transaction id (xmin) places it among the asker's audited actions.
Residual risk, documented in the README: until the next seal (at most an hour) a database
administrator could compare transaction ids; the day it came in stays; and a web server's
access log shows that the person's address posted the question form (named or not).

The FAQ team that reads the inbox is the programme admins only, not the multipliers:
questions can be personal ("do I lose my job?"), so the circle that reads them stays
small. Multipliers add FAQ entries from their office hours (`faq_entry_from_office_hour`).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.faq.services import MAX_ANSWER, FaqError, faq_entry_create
from rollout.models import FaqCategory, FaqEntry, Question

S = Question.Status
MAX_TEXT = Question._meta.get_field("text").max_length
ANSWERABLE = (S.OPEN, S.ANSWERED)


def _notify(question: Question, kind: str) -> None:
    """Queue the mail to a named asker after the commit; anonymous askers read the page."""
    if question.asker_id is None:
        return
    from rollout.faq.tasks import faq_question_mail

    faq_question_mail.delay_on_commit(question.pk, kind)


@transaction.atomic
def question_ask(
    *, text: str, category: FaqCategory | None, asker: User, anonymous: bool
) -> Question:
    """Put a question into the inbox; anonymous ones keep no trace of `asker`."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise FaqError(_("Please write your question."))
    if len(text) > MAX_TEXT:
        raise FaqError(_("A question may have at most %(n)d characters.") % {"n": MAX_TEXT})
    question = Question.objects.create(
        asker=None if anonymous else asker,
        text=text,
        category=category,
        received_on=timezone.localdate(),
    )
    if not anonymous:
        audit_record(actor=asker, action="faq.question_asked", target=question)
    return question


def _locked(question: Question) -> Question:
    # Two team members acting at once: the second sees the first one's result.
    return Question.objects.select_for_update().get(pk=question.pk)


@transaction.atomic
def question_answer(*, question: Question, answer: str, by: User) -> Question:
    """Answer (or correct the answer of) an open or answered question; mail a named asker."""
    answer = (answer or "").replace("\r\n", "\n").strip()
    if not answer:
        raise FaqError(_("Please write an answer."))
    if len(answer) > MAX_ANSWER:
        raise FaqError(_("An answer may have at most %(n)d characters.") % {"n": MAX_ANSWER})
    question = _locked(question)
    if question.shown_status not in ANSWERABLE:
        raise FaqError(_("This question is already published or closed."))
    corrected = question.status == S.ANSWERED
    question.answer, question.answered_by, question.answered_at = answer, by, timezone.now()
    question.status = S.ANSWERED
    question.save()
    audit_record(
        actor=by,
        action="faq.question_answered",
        target=question,
        details={"corrected": corrected, "anonymous": question.asker_id is None},
    )
    _notify(question, "answered")
    return question


@transaction.atomic
def question_publish(
    *,
    question: Question,
    category: FaqCategory,
    question_de: str,
    answer_de: str,
    question_en: str = "",
    answer_en: str = "",
    by: User,
) -> FaqEntry:
    """Publish the question with its answer as a new FAQ entry, link it, tell the asker.

    The wording may be edited on the way (an FAQ question is at most 300 characters).
    From now on the entry's answer is the question's answer: the direct answer, if any,
    is dropped (the form offered it as `answer_de`), so the two can never disagree.
    """
    question = _locked(question)
    if question.shown_status not in ANSWERABLE:
        raise FaqError(_("This question is already published or closed."))
    entry = faq_entry_create(
        category=category,
        question_de=question_de,
        answer_de=answer_de,
        question_en=question_en,
        answer_en=answer_en,
        by=by,
        source="question",
    )
    if not question.answered_at:
        question.answered_by, question.answered_at = by, timezone.now()
    question.faq_entry, question.status, question.answer = entry, S.ANSWERED, ""
    question.save()
    audit_record(
        actor=by,
        action="faq.question_published",
        target=question,
        details={"entry": entry.pk, "anonymous": question.asker_id is None},
    )
    _notify(question, "published")
    return entry


@transaction.atomic
def question_close(*, question: Question, by: User) -> Question:
    """Close an open or answered question without publishing it (duplicate, off-topic)."""
    question = _locked(question)
    if question.shown_status not in ANSWERABLE:
        raise FaqError(_("This question is already published or closed."))
    question.status = S.CLOSED
    question.save(update_fields=["status"])
    audit_record(actor=by, action="faq.question_closed", target=question)
    return question


SEAL_DAYS = 2  # today's and yesterday's: the seal runs hourly, a day of margin


@transaction.atomic
def questions_seal(*, today=None) -> int:
    """Rewrite recent anonymous questions in random order (same ids); return how many.

    The rows are locked first: an answer being saved at that moment waits for the seal
    and then finds the rewritten row by its id.
    """
    since = (today or timezone.localdate()) - timedelta(days=SEAL_DAYS - 1)
    recent = Question.objects.filter(asker__isnull=True, received_on__gte=since)
    rows = list(recent.select_for_update().order_by().values())
    if not rows:
        return 0
    Question.objects.filter(pk__in=[row["id"] for row in rows]).delete()
    secrets.SystemRandom().shuffle(rows)
    Question.objects.bulk_create(Question(**row) for row in rows)
    return len(rows)
