"""Liveness of what the portal depends on: PostgreSQL, Redis and the Celery workers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

QUEUES = ("default", "llm", "stt")


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as e:  # any driver error means "down" here; the reason goes to the log
        logger.warning("health: database down: %s", e.__class__.__name__)
        connection.close_if_unusable_or_obsolete()
        return False


def redis_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.CACHES["default"]["LOCATION"], socket_timeout=2, socket_connect_timeout=2
        )
        return bool(client.ping())
    except redis.RedisError as e:
        logger.warning("health: redis down: %s", e.__class__.__name__)
        return False


def workers_by_queue(timeout: float = 1.0) -> dict[str, int]:
    """Return how many workers answer for each queue (0 when none does)."""
    from portal.celery import app

    counts = dict.fromkeys(QUEUES, 0)
    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception as e:  # broker errors vary by transport; none may break the health page
        logger.warning("health: worker inspection failed: %s", e.__class__.__name__)
        return counts
    for queues in replies.values():
        for queue in queues:
            if queue.get("name") in counts:
                counts[queue["name"]] += 1
    return counts


def supervised_processes() -> dict[str, str] | None:
    """The state of each process `runstack` supervises, or None when it does not run here."""
    from portal.supervisor import read_status, status_path

    status = read_status(status_path(settings.DATA_DIR))
    if status is None:
        return None
    return {name: p.get("state", "unknown") for name, p in status.get("processes", {}).items()}


def health_report() -> tuple[bool, dict]:
    """Return (all healthy, report) with one entry per dependency."""
    db = database_ok()
    rd = redis_ok()
    workers = workers_by_queue() if rd else dict.fromkeys(QUEUES, 0)
    report = {
        "database": "ok" if db else "down",
        "redis": "ok" if rd else "down",
        "workers": {queue: ("ok" if n else "down") for queue, n in workers.items()},
    }
    healthy = db and rd and all(workers.values())
    processes = supervised_processes()
    if processes is not None:  # under `make run`: a crash loop shows here by name
        report["processes"] = processes
        healthy = healthy and all(state == "running" for state in processes.values())
    report["status"] = "ok" if healthy else "degraded"
    return healthy, report
