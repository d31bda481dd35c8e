"""The web server's log keeps no secret that an address carries (portal/logs.py)."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request

from tests.e2e.live import LiveStack
from tests.processes import wait_for


def _get(stack: LiveStack, path: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(stack.base_url + path, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


def test_tokens_in_addresses_never_reach_the_log(live_stack: LiveStack) -> None:
    feed = secrets.token_urlsafe(32)  # the calendar feed's format
    receipt = secrets.token_urlsafe(24)  # an old receipt link of an anonymous question
    reset = f"2s-{secrets.token_hex(16)}"  # an allauth password-reset key
    paths = [
        f"/termine/kalender/{feed}.ics",
        f"/faq/fragen/{receipt}/",
        f"/accounts/password/reset/key/{reset}/",
        "/faq/fragen/beleg/?marker=betriebsvereinbarung-ki",  # a readable slug stays
    ]
    for path in paths:
        assert _get(live_stack, path) in (200, 302, 404)
    logs = [live_stack.log, *sorted((live_stack.data_dir / "logs").glob("*.log"))]

    def logged() -> str:
        return "\n".join(p.read_text(errors="replace") for p in logs if p.exists())

    wait_for(lambda: "betriebsvereinbarung-ki" in logged(), 30, "the request lines", *logs)
    text = logged()
    for secret in (feed, receipt, reset, reset[3:]):
        assert secret not in text
    assert "/termine/kalender/[redacted]" in text
    assert "/faq/fragen/[redacted]/" in text
