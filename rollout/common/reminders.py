"""The reminder loop shared by events and office hours: claim, send, release on failure."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from portal.tasks import MAIL_ERRORS

logger = logging.getLogger(__name__)


def reminders_send(
    *,
    due: Iterable[int],
    claim: Callable[[int], bool],
    send: Callable[[int], bool],
    release: Callable[[int], None],
    what: str,
) -> int:
    """Send each due reminder once and return how many went out.

    `claim` is a conditional UPDATE, so overlapping runs never send twice; a transient
    mail failure `release`s the claim and the next run tries again.
    """
    sent = 0
    for pk in due:
        if not claim(pk):
            continue  # an overlapping run took it
        try:
            if send(pk):
                sent += 1
        except MAIL_ERRORS:
            release(pk)
            logger.warning("reminder for %s %s not sent", what, pk)
    return sent
