"""pytest plugin: the real embedded stack for the whole run, and a guard on the network.

Loaded with `-p tests.stack` (see pyproject.toml) so that it runs before pytest-django
imports the settings: the settings then point at a temporary data directory, where this
plugin starts a real PostgreSQL with pgvector and a real Redis; both stop after the run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

from tests import netguard

# Short path under /tmp: unix socket paths are limited to ~107 bytes.
DATA_DIR = Path(tempfile.mkdtemp(prefix="portal-test-", dir="/tmp"))
os.environ["PORTAL_DATA_DIR"] = str(DATA_DIR)
os.environ["PORTAL_DEBUG"] = "true"  # development settings; Django's test runner sets DEBUG=False
# One llama.cpp thread, as the default on 2 cores: with two, each token waits for the slower
# thread, and a machine kept busy by the suite itself made that many times slower.
os.environ["PORTAL_LLM_N_THREADS"] = "1"
# The model in the test process at full speed: it would step back whenever the suite's own
# workers and browser keep the machine busy (assistants/cpu_share.py, tested on its own).
os.environ["PORTAL_LLM_BUSY_SHARE_PERCENT"] = "100"
for _name in (
    "DATABASE_URL",
    "REDIS_URL",
    "LLM_MODEL_PATH",
    "MODELS_DIR",  # a model pulled on this machine must not stand in for the tests' models
    "MODEL_MIRROR",
    "EMBEDDING_MODEL_PATH",
    "EMBEDDING_BACKEND",
    "EMAIL_HOST",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SIGNUP_DOMAINS",
    "OIDC_SERVER_URL",
):
    os.environ.pop(f"PORTAL_{_name}", None)
    os.environ.pop(f"PORTAL_{_name}_FILE", None)
# A key of the run's own, as a deployment has: clients from other addresses (rate limits,
# proxies) are then served; the debug key's loopback-only rule has tests of its own.
os.environ["PORTAL_SECRET_KEY"] = secrets.token_urlsafe(48)


class NonLoopbackConnection(AssertionError):
    """A test tried to reach a host that is not this machine."""


blocked_connections: list[str] = []


def _refuse(what: str) -> None:
    blocked_connections.append(what)
    raise NonLoopbackConnection(f"{what} blocked: tests stay on loopback")


def _xdist_controller(config: pytest.Config) -> bool:
    # With `-n N` the controller only hands out tests; each worker runs its own stack.
    return bool(getattr(config.option, "numprocesses", 0)) and "PYTEST_XDIST_WORKER" not in (
        os.environ
    )


def pytest_configure(config: pytest.Config) -> None:
    from portal import stack

    netguard.install(_refuse)
    if _xdist_controller(config):
        return
    config._portal_pg_socket = stack.start_postgres(DATA_DIR / "pg")
    config._portal_redis = stack.start_redis(DATA_DIR / "redis")

    from django.conf import settings

    settings.DATABASES["default"]["HOST"] = str(config._portal_pg_socket)


def pytest_unconfigure(config: pytest.Config) -> None:
    from portal import stack

    redis = getattr(config, "_portal_redis", None)
    if redis is not None:
        stack.stop_redis(redis)
    if getattr(config, "_portal_pg_socket", None) is not None:
        stack.stop_postgres(DATA_DIR / "pg")
    shutil.rmtree(DATA_DIR, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # "No tests ran" must not pass silently (e.g. a wrong path or a broken collection).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
