"""FAQ tasks: mails to askers, FAQ entry embeddings (thin: call a service)."""

from __future__ import annotations

from celery import shared_task

from portal.tasks import MAIL_TASK_OPTIONS
from rollout.faq.mail import question_mail_send
from rollout.faq.questions import questions_seal
from rollout.faq.search import faq_embed_pending
from rollout.search.tasks import EMBED_TASK_OPTIONS


@shared_task(name="rollout.tasks.faq.faq_question_mail", **MAIL_TASK_OPTIONS)
def faq_question_mail(question_id: int, kind: str) -> None:
    """Mail a named asker that their question was answered or published (else nothing)."""
    question_mail_send(question_id=question_id, kind=kind)


@shared_task(name="rollout.tasks.faq.faq_entry_embed", **EMBED_TASK_OPTIONS)
def faq_entry_embed(entry_id: int) -> int:
    """Embed one FAQ entry unless its stored vector is current (delivered twice: no-op)."""
    return faq_embed_pending([entry_id])


@shared_task(name="rollout.tasks.faq.questions_seal", time_limit=300, soft_time_limit=280)
def faq_questions_seal() -> int:
    """Rewrite recent anonymous questions in random order (beat, with the surveys' seal)."""
    return questions_seal()
