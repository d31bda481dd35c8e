"""Mails to a named asker: the answer to their question, and its publication in the FAQ.

Sent after the commit by `rollout.faq.tasks.faq_question_mail`, in the asker's language.
Anonymous questions have nobody to mail (their asker reads the receipt page). A task
delivered late sends nothing once the mail would no longer be true (question closed,
asker gone or deactivated).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rollout.faq.render import current_answer
from rollout.models import Question

KINDS = ("answered", "published")
S = Question.Status


def _still_true(question: Question, kind: str) -> bool:
    if kind == "answered":
        return question.shown_status == S.ANSWERED and bool(question.answer)
    if kind == "published":
        return question.faq_entry_id is not None and question.faq_entry.published
    return False


def question_mail_send(*, question_id: int, kind: str) -> bool:
    """Mail the asker about `kind`; return whether a mail was sent."""
    question = Question.objects.select_related("asker", "faq_entry").filter(pk=question_id).first()
    if question is None or not _still_true(question, kind):
        return False
    asker = question.asker
    if asker is None or not asker.is_active or not asker.email:
        return False
    context = {
        "kind": kind,
        "question": question,
        "user": asker,
        "link": settings.SITE_URL + reverse("rollout:faq-my-question", args=[question.pk]),
        "entry_link": (
            settings.SITE_URL + reverse("rollout:faq-entry", args=[question.faq_entry_id])
            if question.faq_entry_id
            else ""
        ),
    }
    context["answer"] = current_answer(question, asker.preferred_language)
    with translation.override(asker.preferred_language):
        subject = render_to_string("rollout/email/faq_question_subject.txt", context)
        body = render_to_string("rollout/email/faq_question.txt", context)
    send_mail(" ".join(subject.split()), body, None, [asker.email])
    return True
