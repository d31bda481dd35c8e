"""What the embedding tasks of every searchable feature share (their retry options)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

# Lost or busy database connections pass; a broken model file or bad text would not.
EMBED_TASK_OPTIONS = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": 120,
    "soft_time_limit": 100,
}
