"""The community around a use case: "I would use this too", following, comments.

Votes and follows are toggles; the unique constraints make a double click harmless (the
row lock serialises the two requests, the second sees the first's row). Comments are plain
text; the owner, contributors and followers get a mail about each (not the author).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.roles import Role
from portal.services import audit_record
from rollout.models import UseCase, UseCaseComment, UseCaseFollow, UseCaseVote
from rollout.usecases.mail import notify
from rollout.usecases.services import UseCaseError

MAX_COMMENT = 3000


def _locked(use_case: UseCase) -> UseCase:
    return UseCase.objects.select_for_update().get(pk=use_case.pk)


@transaction.atomic
def vote_toggle(*, use_case: UseCase, by: User) -> bool:
    """Add or take back `by`'s "I would use this too"; return whether it is now given."""
    use_case = _locked(use_case)
    if by.pk == use_case.owner_id:
        raise UseCaseError(_("You cannot vote for your own use case."))
    deleted, _rows = UseCaseVote.objects.filter(use_case=use_case, user=by).delete()
    if deleted:
        return False
    UseCaseVote.objects.create(use_case=use_case, user=by)
    return True


@transaction.atomic
def follow_toggle(*, use_case: UseCase, by: User) -> bool:
    """Follow or unfollow; return whether `by` now follows (and gets mails)."""
    use_case = _locked(use_case)
    deleted, _rows = UseCaseFollow.objects.filter(use_case=use_case, user=by).delete()
    if deleted:
        return False
    UseCaseFollow.objects.create(use_case=use_case, user=by)
    return True


@transaction.atomic
def comment_add(*, use_case: UseCase, by: User, body: str) -> UseCaseComment:
    body = body.strip()
    if not body:
        raise UseCaseError(_("Write a comment first."))
    if len(body) > MAX_COMMENT:
        raise UseCaseError(_("A comment can be at most 3,000 characters long."))
    use_case = _locked(use_case)
    comment = UseCaseComment.objects.create(use_case=use_case, author=by, body=body)
    audit_record(
        actor=by, action="usecase.commented", target=use_case, details={"comment": comment.pk}
    )
    notify(use_case, kind="comment", ref_id=comment.pk, actor=by)
    return comment


def comment_deletable_by(comment: UseCaseComment, user: User) -> bool:
    return comment.author_id == user.pk or user.has_role(Role.PROGRAMME_ADMIN)


@transaction.atomic
def comment_delete(*, comment: UseCaseComment, by: User) -> None:
    if not comment_deletable_by(comment, by):
        raise UseCaseError(_("Only the author or a programme admin can delete a comment."))
    use_case, comment_id = comment.use_case, comment.pk
    comment.delete()
    audit_record(
        actor=by,
        action="usecase.comment_deleted",
        target=use_case,
        details={"comment": comment_id},
    )
