"""Thin tasks of the base: fetch by id, call a service or send, return quietly if gone."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Invitation

logger = logging.getLogger(__name__)


# Transient mail failures worth a retry; a refused recipient is not one of them.
MAIL_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError)
# Options of every task that sends one mail: narrow retries with backoff, short limits.
MAIL_TASK_OPTIONS = {
    "autoretry_for": MAIL_ERRORS,
    "retry_backoff": 30,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": 120,
    "soft_time_limit": 100,
}


@shared_task(**MAIL_TASK_OPTIONS)
def invitation_send(invitation_id: int) -> None:
    """Mail an invitation link. Sending twice is harmless: the link is the same."""
    invitation = Invitation.objects.filter(pk=invitation_id).select_related("invited_by").first()
    if invitation is None or not invitation.is_open():
        return
    link = settings.SITE_URL + reverse("portal:invitation-accept", args=[invitation.token])
    with translation.override(settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    logger.info("invitation %s mailed", invitation.pk)


@shared_task(time_limit=600, soft_time_limit=580)
def inbox_digest() -> int:
    """Mail each person what waits for them, at most once a day, only when something does."""
    from portal.inbox import digest_due, digest_release

    sent = 0
    for user, items in digest_due():
        context = {
            "user": user,
            "items": items[:20],
            "more": max(0, len(items) - 20),
            "total": len(items),
            "site_url": settings.SITE_URL,
            "link": settings.SITE_URL + reverse("portal:inbox"),
        }
        with translation.override(user.preferred_language):
            subject = render_to_string("portal/email/inbox_digest_subject.txt", context).strip()
            body = render_to_string("portal/email/inbox_digest.txt", context)
        try:
            send_mail(subject, body, None, [user.email])
        except MAIL_ERRORS:
            digest_release(user, timezone.localdate())  # the next run tries again
            continue
        sent += 1
    return sent
