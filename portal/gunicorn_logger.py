"""gunicorn's access log with secrets taken out of request lines (see portal.logs).

Used as `gunicorn --logger-class portal.gunicorn_logger.RedactingLogger` (Dockerfile).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from portal.logs import redact

# Atoms that never carry an address: kept as they are (time, client, status, method).
_PLAIN_ATOMS = frozenset({"h", "l", "t", "s", "m", "H", "T", "D", "M", "L", "p", "b", "B"})


class RedactingLogger(Logger):
    """Every atom that may hold an address (request line, path, query, referrer, the
    environment's and headers' values) is redacted before the log line is formatted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key not in _PLAIN_ATOMS and isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
