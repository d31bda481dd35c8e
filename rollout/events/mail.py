"""Mails about a registration, each with an .ics, in the person's language; and reminders.

A mail task may be delivered twice or late: the mail is sent only while the registration
is still in the state the mail speaks of (a stale "you have a seat" is never sent).
"""

from __future__ import annotations

from email.mime.text import MIMEText

from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from rollout.common.reminders import Reminder
from rollout.events.calendar import calendar_render, event_url, registration_item
from rollout.models import Registration

Status = Registration.Status
# kind of mail → the registration states in which it is still true
MAIL_KINDS = {
    "confirmed": {Status.CONFIRMED},
    "waitlisted": {Status.WAITLISTED},
    "moved_up": {Status.CONFIRMED},
    "reminder": {Status.CONFIRMED},
    "changed": {Status.CONFIRMED, Status.WAITLISTED},
    "cancelled": {Status.CANCELLED},
}


def _ics_attachment(ics: str, method: str) -> MIMEText:
    part = MIMEText(ics, "calendar", "utf-8")  # base64: the CRLF line ends arrive intact
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="event.ics")
    return part


def registration_mail(*, registration_id: int, kind: str) -> bool:
    """Send the mail of `kind` if it is still true; return whether it was sent."""
    registration = (
        Registration.objects.select_related("event", "user").filter(pk=registration_id).first()
    )
    if registration is None or registration.status not in MAIL_KINDS.get(kind, ()):
        return False
    event, user = registration.event, registration.user
    if not user.is_active or not user.email:
        return False
    if kind != "cancelled" and event.ends_at <= timezone.now():
        return False  # news about a past event helps nobody
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    context = {
        "kind": kind,
        "event": event,
        "user": user,
        "confirmed": registration.status == Status.CONFIRMED,
        "link": event_url(event),
    }
    with translation.override(user.preferred_language):
        subject = render_to_string("rollout/email/registration_subject.txt", context)
        body = render_to_string("rollout/email/registration.txt", context)
        ics = calendar_render([registration_item(registration)], method=method)
    message = EmailMessage(" ".join(subject.split()), body, to=[user.email])
    message.attach(_ics_attachment(ics, method))
    message.send()
    return True


REMINDER = Reminder(
    name="registration",
    model=Registration,
    live=Q(status=Status.CONFIRMED),
    starts_at="event__starts_at",
    send=lambda pk: registration_mail(registration_id=pk, kind="reminder"),
)
