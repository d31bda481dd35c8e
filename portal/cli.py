"""Run a management command; configuration and connection errors end in one clear line.

A person who starts the portal with a wrong PORTAL_* value should read what to fix,
not a traceback. Everything else propagates as Django would show it.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ImproperlyConfigured


def main(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as e:
        _fail(f"Configuration error: {e}")
    except Exception as e:
        from django.db.utils import InterfaceError, OperationalError

        if isinstance(e, OperationalError | InterfaceError):
            _fail(
                f"Database unreachable at {database_hint()}: {_first_line(e)} "
                "(check PORTAL_DATABASE_URL and that PostgreSQL runs)"
            )
        raise


def database_hint() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db.get('NAME')}"


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else e.__class__.__name__


def _fail(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(2)
