"""Mails about a use case: a new comment or a status change, to the people who care.

The owner, the contributors and the followers get one mail each (one task per person, so
that a retry never mails the others again), never the person who acted. The mail is sent
in the person's language, after the commit, by `rollout.usecases.tasks.usecase_mail`; a
task delivered late for a comment deleted meanwhile sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.models import User
from rollout.models import UseCase, UseCaseComment, UseCaseTransition

KINDS = ("comment", "status")


def recipients(use_case: UseCase, *, actor: User | None) -> list[int]:
    """Return the ids of owner, contributors and followers, without the actor."""
    ids = {use_case.owner_id}
    ids |= set(use_case.contributors.values_list("pk", flat=True))
    ids |= set(use_case.follows.values_list("user_id", flat=True))
    ids.discard(actor.pk if actor is not None else None)
    return sorted(ids)


def notify(use_case: UseCase, *, kind: str, ref_id: int, actor: User | None) -> int:
    """Queue one mail per recipient, sent after the commit; return how many."""
    from rollout.usecases.tasks import usecase_mail

    people = recipients(use_case, actor=actor)
    for user_id in people:
        usecase_mail.delay_on_commit(user_id, kind, ref_id)
    return len(people)


def usecase_url(use_case: UseCase) -> str:
    return settings.SITE_URL + reverse("rollout:usecase-detail", args=[use_case.pk])


def _subject_of(kind: str, ref_id: int) -> tuple[UseCase, dict] | None:
    if kind == "comment":
        comment = UseCaseComment.objects.select_related("use_case", "author").filter(pk=ref_id)
        found = comment.first()
        return (found.use_case, {"comment": found}) if found else None
    if kind == "status":
        transition = UseCaseTransition.objects.select_related("use_case", "by").filter(pk=ref_id)
        found = transition.first()
        return (found.use_case, {"transition": found}) if found else None
    return None


def usecase_mail_send(*, user_id: int, kind: str, ref_id: int) -> bool:
    """Send the mail about `kind` (comment or status change `ref_id`); return whether sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    found = _subject_of(kind, ref_id)
    if user is None or not user.email or found is None:
        return False
    use_case, context = found
    context |= {"kind": kind, "use_case": use_case, "user": user, "link": usecase_url(use_case)}
    with translation.override(user.preferred_language):
        subject = render_to_string("rollout/email/usecase_subject.txt", context)
        body = render_to_string("rollout/email/usecase.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
    return True
