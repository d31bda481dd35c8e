"""Use-case tasks: mails about comments and status changes (thin: call a service)."""

from __future__ import annotations

from celery import shared_task

from portal.tasks import MAIL_TASK_OPTIONS
from rollout.search.tasks import EMBED_TASK_OPTIONS
from rollout.usecases.mail import usecase_mail_send
from rollout.usecases.search import use_case_embed_pending


@shared_task(name="rollout.tasks.usecases.usecase_mail", **MAIL_TASK_OPTIONS)
def usecase_mail(user_id: int, kind: str, ref_id: int) -> None:
    """Mail one person about a comment or a status change (skipped if it is gone)."""
    usecase_mail_send(user_id=user_id, kind=kind, ref_id=ref_id)


@shared_task(name="rollout.tasks.search.use_case_embed", **EMBED_TASK_OPTIONS)
def use_case_embed(use_case_id: int) -> int:
    """Embed one use case unless its stored vector is current (delivered twice: no-op)."""
    return use_case_embed_pending([use_case_id])
