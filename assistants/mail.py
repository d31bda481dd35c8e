"""Mails of the assistants, in the recipient's language, with a link back to the portal."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from assistants.models import ActionItem


def action_item_mail(*, item_id: int, reminder: bool) -> None:
    """Send it; a vanished, finished or ownerless item is skipped (safe to run twice)."""
    item = ActionItem.objects.select_related("owner", "protocol").filter(pk=item_id).first()
    if item is None or item.owner is None or item.status != ActionItem.Status.OPEN:
        return
    context = {
        "item": item,
        "reminder": reminder,
        "link": settings.SITE_URL + reverse("assistants:action-items"),
    }
    with translation.override(item.owner.preferred_language):
        subject = render_to_string("assistants/email/action_item_subject.txt", context).strip()
        body = render_to_string("assistants/email/action_item.txt", context)
    send_mail(subject, body, None, [item.owner.email])
