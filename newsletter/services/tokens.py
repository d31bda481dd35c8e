"""Unsubscribe links and the subscription switch.

The token is the signed user id (salt "newsletter.unsubscribe") without expiry: a link in
a mail from last year must still work. It grants one thing only: turning the newsletter off.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction

from newsletter.models import Preference
from portal.models import User
from portal.services import audit_record

SALT = "newsletter.unsubscribe"


def unsubscribe_token(user: User) -> str:
    """Return the token of `user`'s one-click unsubscribe link."""
    return unsubscribe_token_for(user.pk)


def unsubscribe_token_for(user_id: int) -> str:
    """The same token from the id alone (the sending loop holds no User instances)."""
    return signing.dumps(user_id, salt=SALT, compress=False)


def user_from_unsubscribe_token(token: str) -> User | None:
    """Return the person a token belongs to, or None for a forged or unknown token."""
    try:
        user_id = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id).first()


@transaction.atomic
def subscription_set(*, user: User, subscribed: bool, by: User | None) -> bool:
    """Switch the newsletter on or off for `user`; return True if that changed anything.

    Idempotent: a second unsubscribe (a mail client retrying its one-click POST) changes
    nothing and writes no audit entry.
    """
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user)
    if preference.subscribed == subscribed:
        return False
    preference.subscribed = subscribed
    preference.save(update_fields=["subscribed", "changed_at"])
    audit_record(
        actor=by,
        action="newsletter.subscribed" if subscribed else "newsletter.unsubscribed",
        target=user,
    )
    return True


def is_subscribed(user: User) -> bool:
    """Return whether `user` receives the newsletter (no Preference row: yes)."""
    return not Preference.objects.filter(user=user, subscribed=False).exists()
