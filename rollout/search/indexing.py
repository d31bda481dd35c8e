"""Keeping the embeddings up to date.

A feature calls its `…_changed(pk)` when a record's text changed → after commit, its
Celery task (default queue) → `embed_pending()` → `embed_records()`. It is idempotent:
a record whose stored vector has the same content hash, model name and dimension is skipped,
so a task delivered twice, or a reindex run after it, writes nothing. `reindex()` (the
`search_reindex` command) walks every record in batches after a model change or a restore.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from assistants.embeddings import Embedder, get_embedder
from rollout.search import vectors
from rollout.search.sources import SearchSource, content_hash

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 2.0


def _texts(source: SearchSource, ids: Iterable[int], *, lock: bool = False) -> dict[int, str]:
    rows = source.model._default_manager.filter(pk__in=list(ids))
    if lock:
        rows = rows.select_for_update()
    rows = rows.values("pk", *source.embedded_fields)
    return {row["pk"]: source.embedding_text(row) for row in rows}


def embed_records(
    source: SearchSource, ids: Iterable[int], embedder: Embedder, *, force: bool = False
) -> int:
    """Embed the records among `ids` whose vector is missing or stale (all: `force`)."""
    texts = _texts(source, ids)
    hashes = {pk: content_hash(text) for pk, text in texts.items()}
    owner = source.embedding_model._meta.get_field(source.owner_field).attname
    stored = {
        row[0]: row[1:]
        for row in source.embedding_model._default_manager.filter(
            **{f"{owner}__in": list(texts)}
        ).values_list(owner, "model_name", "dimension", "content_hash")
    }
    current = (embedder.model_name, embedder.dimension)
    todo = [pk for pk in texts if force or stored.get(pk) != (*current, hashes[pk])]
    if not todo:
        return 0
    computed = dict(zip(todo, embedder.embed([texts[pk] for pk in todo]), strict=True))
    vectors.ensure_vector_index(source.embedding_model, embedder.dimension)
    with transaction.atomic():
        # Lock the records and look again: a newer edit may have landed while we embedded;
        # its own task writes its vector, ours must not overwrite it with the old text.
        fresh = _texts(source, todo, lock=True)
        rows = [
            source.embedding_model(
                **{owner: pk},
                model_name=embedder.model_name,
                dimension=embedder.dimension,
                content_hash=hashes[pk],
                vector=vector,
            )
            for pk, vector in computed.items()
            if pk in fresh and content_hash(fresh[pk]) == hashes[pk] and any(vector)
        ]
        source.embedding_model._default_manager.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=[source.owner_field],
            update_fields=["model_name", "dimension", "content_hash", "vector", "updated_at"],
        )
    return len(rows)


def embed_pending(source: SearchSource, ids: Iterable[int]) -> int:
    """Embed these records if a model is configured (the task's entry point)."""
    embedder = get_embedder()
    if embedder is None:
        return 0
    return embed_records(source, ids, embedder)


@dataclass
class Reindexed:
    checked: int
    embedded: int
    deleted: int


def reindex(
    source: SearchSource,
    embedder: Embedder,
    *,
    batch: int = 64,
    rebuild: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> Reindexed:
    """Bring every record's vector up to date with `embedder`, `batch` texts per call.

    `rebuild` first deletes the vectors (and HNSW indexes) of other models or dimensions,
    so nothing stale is left while the new ones are computed, then recomputes every vector
    (also for a model file replaced under the same name).
    """
    deleted = 0
    if rebuild:
        deleted, _ = source.embedding_model._default_manager.exclude(
            model_name=embedder.model_name, dimension=embedder.dimension
        ).delete()
        for name in vectors.drop_other_vector_indexes(source.embedding_model, embedder.dimension):
            progress(f"dropped index {name}")
    index = vectors.ensure_vector_index(source.embedding_model, embedder.dimension)
    progress(f"index {index or '(none: dimension too large for HNSW, exact scans)'}")
    ids = list(source.model._default_manager.order_by("pk").values_list("pk", flat=True))
    embedded, said = 0, time.monotonic()
    for start in range(0, len(ids), batch):
        embedded += embed_records(source, ids[start : start + batch], embedder, force=rebuild)
        done = min(start + batch, len(ids))
        if done == len(ids) or time.monotonic() - said > PROGRESS_SECONDS:
            progress(f"{done}/{len(ids)} checked, {embedded} embedded")
            said = time.monotonic()
    return Reindexed(checked=len(ids), embedded=embedded, deleted=deleted)


def stale_ids(source: SearchSource, embedder: Embedder, limit: int) -> list[int]:
    """Return up to `limit` ids of records without a vector of `embedder` (one query).

    After a model change (another model, version or dimension) every record is stale; this
    lets the periodic refresh work through them in bounded batches, oldest first.
    """
    current = source.embedding_model._default_manager.filter(
        model_name=embedder.model_name, dimension=embedder.dimension
    ).values(source.owner_field)
    return list(
        source.model._default_manager.exclude(pk__in=current)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def refresh_stale(limit: int = 256, *, batch: int = 32) -> int:
    """Embed up to `limit` records of every searchable that lack a current vector.

    Run periodically (beat: PORTAL_CRON_SEARCH_REFRESH): after a model change the whole
    library is embedded again, a few hundred records per run, while search keeps working
    (full text, plus the vectors already done). Returns how many were embedded.
    """
    from rollout.search.sources import searchables

    embedder = get_embedder()
    if embedder is None:
        return 0
    embedded = 0
    for searchable in searchables():
        source = searchable.source()
        ids = stale_ids(source, embedder, limit)
        if ids:
            vectors.ensure_vector_index(source.embedding_model, embedder.dimension)
        for start in range(0, len(ids), batch):
            embedded += embed_records(source, ids[start : start + batch], embedder)
    if embedded:
        logger.info("search refresh: %d records embedded with %s", embedded, embedder.model_name)
    return embedded


def reindex_configured(source: SearchSource, **options) -> Reindexed | None:
    """`reindex` with the configured embedding model; None when there is none."""
    embedder = get_embedder()
    if embedder is None:
        return None
    return reindex(source, embedder, **options)
