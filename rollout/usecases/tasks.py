"""Use-case tasks: mails about comments and status changes (thin: call a service)."""

from __future__ import annotations

from celery import shared_task

from portal.tasks import MAIL_TASK_OPTIONS
from rollout.usecases.mail import usecase_mail_send


@shared_task(name="rollout.tasks.usecases.usecase_mail", **MAIL_TASK_OPTIONS)
def usecase_mail(user_id: int, kind: str, ref_id: int) -> None:
    """Mail one person about a comment or a status change (skipped if it is gone)."""
    usecase_mail_send(user_id=user_id, kind=kind, ref_id=ref_id)
