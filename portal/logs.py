"""Request logs without secrets.

Some addresses carry a secret because the client cannot send it any other way: calendar
subscriptions (`…/kalender/<token>.ics`), one-click unsubscribe links, password-reset and
e-mail confirmation keys, old receipt links of anonymous questions. Web server logs keep
request lines with client addresses for weeks; a secret written there next to an IP is no
longer a secret. Every request line the web server logs passes `redact` first: runserver's
`django.server` logger through `RedactTokens` (settings.LOGGING), gunicorn's access log
through `portal.gunicorn_logger.RedactingLogger`.

What counts as a secret: a run of 16 or more URL-safe characters with a digit in it, or
with upper- and lower-case letters, as random tokens have; slugs and words stay readable.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_CANDIDATE = re.compile(r"[A-Za-z0-9_\-.:%]{16,}")


def _secret_like(text: str) -> bool:
    return any(c.isdigit() for c in text) or (
        any(c.isupper() for c in text) and any(c.islower() for c in text)
    )


def redact(text: str) -> str:
    """Return `text` with every token-like run replaced by "[redacted]"."""
    return _CANDIDATE.sub(lambda m: REDACTED if _secret_like(m[0]) else m[0], text)


class RedactTokens(logging.Filter):
    """Redact the formatted message of each record (request lines and their arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        return True
