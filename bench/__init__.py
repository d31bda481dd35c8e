"""Benchmarks: each module measures the portal against a baseline in the same run.

Run one from the project root as a module, `python -m bench.<name>` (`--smoke` for the same
code path on small sizes, as `make test` does): the project root then comes first on
sys.path, so `bench/newsletter.py` never stands in for the `newsletter` app, and every
server or worker a bench starts runs with the project root as its working directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def arguments(doc: str) -> argparse.ArgumentParser:
    """Return a parser described by `doc`'s first line, with `--smoke` (or BENCH_SMOKE=1)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        default=os.environ.get("BENCH_SMOKE") == "1",
        help="same code path on small sizes, to prove the bench runs (figures mean little)",
    )
    return parser


@contextmanager
def django_on_embedded_postgres(prefix: str, env: dict[str, str]) -> Iterator[Path]:
    """Run Django on a fresh embedded PostgreSQL in a temporary data dir; remove both after.

    The shell's PORTAL_* variables are dropped first, so a bench measures the defaults plus
    `env`, never a developer's configuration. Yields the data dir.
    """
    data = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))  # short: unix sockets
    for name in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_DATA_DIR=str(data), PORTAL_DEBUG="true"
    )
    os.environ.update(env)
    from portal import stack

    connections = None
    try:
        socket_dir = stack.start_postgres(data / "pg")
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        from django.db import connections

        settings.DATABASES["default"]["HOST"] = str(socket_dir)
        call_command("migrate", verbosity=0)
        yield data
    finally:
        if connections is not None:
            connections.close_all()
        stack.stop_postgres(data / "pg")
        shutil.rmtree(data, ignore_errors=True)
