"""The review inbox: what waits for a person, gathered from every app's provider.

Apps register providers (portal.registry.register_inbox); this lower layer only asks them.
The count in the header is cached for a short while per person, so a page view costs a
cache read, not one query per app.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import registry
from portal.models import InboxDigest, User

COUNT_SECONDS = 30


def inbox_items(user: User) -> list[registry.InboxItem]:
    """Everything that waits for `user`, the longest-waiting first."""
    items = [item for provider in registry.inbox_providers for item in provider(user)]
    return sorted(items, key=lambda i: (i.since is None, i.since or datetime.min))


def inbox_count(user: User) -> int:
    key = f"portal:inbox-count:{user.pk}"
    count = cache.get(key)
    if count is None:
        count = len(inbox_items(user))
        cache.set(key, count, COUNT_SECONDS)
    return count


def inbox_count_forget(user: User) -> None:
    """After a person acted on an item, their header shows the new count at once."""
    cache.delete(f"portal:inbox-count:{user.pk}")


def grouped(items: list[registry.InboxItem]) -> list[tuple[str, list[registry.InboxItem]]]:
    """Items by kind, in the order each kind's first (longest-waiting) item comes."""
    groups: dict[str, list[registry.InboxItem]] = {}
    for item in items:
        groups.setdefault(str(item.kind), []).append(item)
    return list(groups.items())


def digest_due() -> Iterator[tuple[User, list[registry.InboxItem]]]:
    """Active people with something waiting, and what: today's digest, claimed per person
    (a claim is a row; a person whose digest went out today is skipped)."""
    today = timezone.localdate()
    sent = set(InboxDigest.objects.filter(day=today).values_list("user_id", flat=True))
    people = User.objects.filter(is_active=True, inbox_digest=True).exclude(pk__in=sent)
    for user in people.order_by("pk"):
        items = inbox_items(user)
        if items and digest_claim(user, today):
            yield user, items


def digest_claim(user: User, day) -> bool:
    try:
        with transaction.atomic():
            InboxDigest.objects.create(user=user, day=day)
    except IntegrityError:
        return False  # another run took it
    return True


def digest_release(user: User, day) -> None:
    """The mail failed: the next run tries again."""
    InboxDigest.objects.filter(user=user, day=day).delete()
