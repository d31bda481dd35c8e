"""The FAQ on the shared search machinery (rollout.search): sources, search, related entries.

An entry has two generated search vectors: `search_de` (German config) and `search_en`
(English config, empty where no English text exists). German users search `search_de`.
English users search `search_en` among entries with an English version and `search_de`
among the others (their German text is what they will read), both rankings fused.
One embedding per entry, computed from both languages' questions and the answers, serves
both sources (their `embedded_fields` are the same, so the content hash is the same).
"""

from __future__ import annotations

from django.db.models import QuerySet

from assistants.embeddings import Embedder, embedding_configured, get_embedder
from rollout.models import FaqEmbedding, FaqEntry
from rollout.search import fulltext, hybrid, indexing, vectors
from rollout.search.hybrid import Hit
from rollout.search.sources import SearchSource

ENGLISH = "en"
# Questions first: an answer can be long, and the model reads only its first 512 tokens.
EMBEDDED = ("question_de", "question_en", "answer_de", "answer_en")
RELATED = 5


def faq_source(language: str = "de") -> SearchSource:
    """Return the FAQ's source for German (default) or English full text."""
    suffix = "en" if language == ENGLISH else "de"
    return SearchSource(
        name=f"faq_{suffix}",
        model=FaqEntry,
        embedding_model=FaqEmbedding,
        owner_field="entry",
        title_field=f"question_{suffix}",
        excerpt_fields=(f"answer_{suffix}",),
        embedded_fields=EMBEDDED,
        select_related=("category",),
        search_vector_field=f"search_{suffix}",
        config="english" if suffix == "en" else "german",
    )


def published() -> QuerySet[FaqEntry]:
    return FaqEntry.objects.filter(published=True)


class _OnceEmbedder:
    """Embed a query once for the two searches of an English user (same text both times)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self.model_name = embedder.model_name
        self.dimension = embedder.dimension
        self.min_similarity = embedder.min_similarity
        self.similar_min_similarity = embedder.similar_min_similarity
        self._cache: dict[tuple[str, bool], list[float]] = {}

    def embed(self, texts: list[str], *, query: bool = False) -> list[list[float]]:
        missing = [t for t in texts if (t, query) not in self._cache]
        computed = self._embedder.embed(missing, query=query)
        self._cache.update(zip([(t, query) for t in missing], computed, strict=True))
        return [self._cache[(t, query)] for t in texts]


def faq_search(
    query: str,
    *,
    language: str,
    queryset: QuerySet | None = None,
    limit: int = 30,
    source_de: SearchSource | None = None,
    source_en: SearchSource | None = None,
) -> list[Hit]:
    """Return published entries (or `queryset`) matching `query`, best first.

    Each hit's `obj.fallback` says whether its text (and highlight) is the German one
    shown to an English reader. The sources can be replaced (tests lower the floor).
    """
    queryset = published() if queryset is None else queryset
    source_de = source_de or faq_source()
    if language != ENGLISH:
        hits = hybrid.search(source_de, query, queryset=queryset, limit=limit)
        for hit in hits:
            hit.obj.fallback = False
        return hits
    source_en = source_en or faq_source(ENGLISH)
    embedder = get_embedder()
    once = _OnceEmbedder(embedder) if embedder is not None else None
    english = hybrid.search(
        source_en, query, queryset=queryset.exclude(question_en=""), limit=limit, embedder=once
    )
    german = hybrid.search(
        source_de, query, queryset=queryset.filter(question_en=""), limit=limit, embedder=once
    )
    for hit in english:
        hit.obj.fallback = False
    for hit in german:
        hit.obj.fallback = True
    # Both are RRF scores over disjoint sets: merging them by score interleaves the rankings.
    merged = sorted(english + german, key=lambda h: (-h.score, h.obj.pk))
    return merged[:limit]


def related_entries(entry: FaqEntry, *, limit: int = RELATED) -> list[FaqEntry]:
    """Return up to `limit` published entries related to `entry`, closest first.

    Three rankings fused: shared German words, the nearest stored vectors (the entry's own
    vector: no model call on a page view) and the same category. A fixed number of queries.
    """
    others = published().exclude(pk=entry.pk)
    source = faq_source()
    lexemes = fulltext.text_lexemes(entry.question_de, entry.answer_de)
    rankings = {
        "fulltext": fulltext.similar_ids(source, others, lexemes, limit),
        "vector": _vector_neighbours(entry, others, source, limit),
        "category": list(
            others.filter(category_id=entry.category_id)
            .order_by("question_de")
            .values_list("pk", flat=True)[:limit]
        ),
    }
    ids = [pk for pk, _score, _found in hybrid.rrf_merge(rankings)[:limit]]
    found = others.select_related("category").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _vector_neighbours(
    entry: FaqEntry, others: QuerySet, source: SearchSource, limit: int
) -> list[int]:
    if not embedding_configured():
        return []
    stored = FaqEmbedding.objects.filter(entry=entry).first()
    if stored is None or not any(stored.vector):
        return []
    neighbours = vectors.nearest(
        source, list(stored.vector), model_name=stored.model_name, limit=limit, restrict=others
    )
    floor = source.min_similarity
    if floor is None:
        embedder = get_embedder()
        floor = embedder.min_similarity if embedder is not None else 1.0
    return [pk for pk, distance in neighbours if 1.0 - distance >= floor]


# --- keeping the embeddings up to date (mirrors rollout.search.indexing for use cases) ---


def faq_entry_changed(entry_id: int) -> None:
    """Schedule (after commit) the embedding of an entry whose text changed."""
    if not embedding_configured():
        return  # nothing would read the vector; faq_reindex fills it once a model is set
    from rollout.faq.tasks import faq_entry_embed

    faq_entry_embed.delay_on_commit(entry_id)


def faq_embed_pending(entry_ids: list[int]) -> int:
    """Embed these entries unless their vector is current (the task's entry point)."""
    return indexing.embed_pending(faq_source(), entry_ids)


def faq_reindex(**options) -> indexing.Reindexed | None:
    """Reindex every FAQ entry; None when no embedding model is configured."""
    return indexing.reindex_configured(faq_source(), **options)
