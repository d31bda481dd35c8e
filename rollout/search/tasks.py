"""Search tasks: embeddings of use cases (and FAQ entries), computed after commit."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from rollout.search import indexing, sources

# Lost or busy database connections pass; a broken model file or bad text would not.
EMBED_TASK_OPTIONS = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": 120,
    "soft_time_limit": 100,
}


@shared_task(name="rollout.tasks.search.use_case_embed", **EMBED_TASK_OPTIONS)
def use_case_embed(use_case_id: int) -> int:
    """Embed one use case unless its stored vector is current (delivered twice: no-op)."""
    return indexing.embed_pending(sources.use_cases(), [use_case_id])
