"""Secrets in addresses are taken out of request log lines (portal/logs.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from gunicorn.config import Config

from portal.gunicorn_logger import RedactingLogger
from portal.logs import redact

FEED = "Xq3v_9kLmN0pQrStUvWxYz12AbCdEfGhIjKlMnOpQrS"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /termine/kalender/{FEED}.ics HTTP/1.1", "GET /termine/kalender/[redacted] HTTP/1.1"),
        (
            "GET /faq/fragen/aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW/ HTTP/1.1",
            "GET /faq/fragen/[redacted]/ HTTP/1.1",
        ),
        (
            "GET /newsletter/abmelden/?t=MTIz:1sXyZa:Qw9eRt7yUi HTTP/1.1",
            "GET /newsletter/abmelden/?t=[redacted] HTTP/1.1",
        ),
        (
            "GET /accounts/password/reset/key/2s-c9ab1f0e3d2b4a6c8e0f/ HTTP/1.1",
            "GET /accounts/password/reset/key/[redacted]/ HTTP/1.1",
        ),
    ],
)
def test_secrets_are_redacted(line: str, expected: str) -> None:
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "GET /faq/fragen/neu/ HTTP/1.1",
        "GET /anwendungsfaelle/?q=betriebsvereinbarung-ki-nutzung HTTP/1.1",
        "GET /faq/42/ HTTP/1.1",
        "POST /assistenten/protokoll/neu/ HTTP/1.1",
        "GET /static/css/portal.css HTTP/1.1",
    ],
)
def test_ordinary_addresses_stay_readable(line: str) -> None:
    assert redact(line) == line


def test_runservers_request_lines_pass_the_filter() -> None:
    logger = logging.getLogger("django.server")
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep = Keep()
    logger.addHandler(keep)
    try:
        logger.info('"%s" %s %s', f"GET /termine/kalender/{FEED}.ics HTTP/1.1", 200, 512)
    finally:
        logger.removeHandler(keep)
    assert seen == ['"GET /termine/kalender/[redacted] HTTP/1.1" 200 512']


def test_djangos_not_found_warnings_pass_the_filter(client, caplog, db) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/termine/kalender/{FEED}.ics")
    assert caplog.records and FEED not in caplog.text


def test_gunicorns_access_log_atoms_are_redacted() -> None:
    class Response:
        status, sent, headers = "200 OK", 512, []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/termine/kalender/{FEED}.ics",
        "PATH_INFO": f"/termine/kalender/{FEED}.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://portal.example/termine/kalender/{FEED}.ics",
    }
    atoms = RedactingLogger(Config()).atoms(Response(), [], environ, timedelta(milliseconds=3))
    assert FEED not in str(atoms)
    assert atoms["r"] == "GET /termine/kalender/[redacted] HTTP/1.1"
