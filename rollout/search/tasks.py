"""What the embedding tasks of every searchable feature share, and the periodic ones."""

from __future__ import annotations

from celery import shared_task
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


@shared_task(
    name="rollout.tasks.search.search_refresh",
    **(EMBED_TASK_OPTIONS | {"time_limit": 600, "soft_time_limit": 540}),
)
def search_refresh() -> int:
    """Embed records whose vector is missing or from another model (after a model change)."""
    from rollout.search.indexing import refresh_stale

    return refresh_stale()


@shared_task(
    name="rollout.tasks.search.search_words_rebuild",
    **(EMBED_TASK_OPTIONS | {"time_limit": 600, "soft_time_limit": 540}),
)
def search_words_rebuild() -> int:
    """Rebuild the word lists (typing errors, compounds) without the words of deleted text."""
    from rollout.search import lexicon

    return lexicon.rebuild()
