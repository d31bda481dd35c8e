"""Hybrid search: full-text and vector rankings merged by reciprocal rank fusion (RRF).

RRF scores a record by Σ 1 / (k + rank) over the rankings it appears in (k = 60, as in
Cormack et al. 2009): no score calibration between ts_rank_cd and cosine distance is
needed, and a record found by both rises above one found by one. Without an embedding
model (or before anything is embedded) the vector ranking is empty and this is plain full
text. Generic over `SearchSource`, so the FAQ reuses it with its own source.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from assistants.embeddings import Embedder, get_embedder
from rollout.search import fulltext, lexicon, synonyms, vectors
from rollout.search.headlines import with_headlines
from rollout.search.sources import SearchSource

logger = logging.getLogger(__name__)

# How the rankings are weighed, tuned with bench/search_quality.py on our German FAQ set
# (paraphrases, typing errors, parts of compounds; parameters chosen on one half of the
# queries hold on the other): the embedding model understands a paraphrase that shares no
# word with the entry, so its ranking counts double; a full-text ranking that had to fall
# back to "any word" counts a tenth, since one common word is enough to match there. (It
# was a quarter before the glossary: with synonyms, every word matches far more often, and
# the fallback says less. 0.1 lifted the held-out queries, which were not used to pick
# it, from 0.925 to 0.933 top-3.)
RRF_K = 30
VECTOR_WEIGHT = 2.0
FULLTEXT_WEIGHT = 1.0
ANY_WORD_WEIGHT = 0.1
NEAR_BEST = 0.03  # cosine similarity a search's vector hit may lie below the closest one
FULLTEXT_CANDIDATES = 100
VECTOR_CANDIDATES = 20  # nearest neighbours always exist; only the closest few may join
MAX_QUERY_LENGTH = 200
MAX_TEXT_LENGTH = 5000
MIN_TEXT_LENGTH = 3
# A query is embedded in the web process, where the cost grows with its tokens: a typed
# search is far shorter, a text typed into the new-use-case form is cut (~150 tokens) so
# the duplicate check stays interactive on a CPU. Stored texts get the model's whole context.
QUERY_CHARS = 600
FULLTEXT, VECTOR = "fulltext", "vector"
# Query embeddings run here, beside the request's thread (see `search`); the engines
# serialise their own calls, so more threads would only queue.
_EMBEDDING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embedding")


@dataclass
class Hit:
    obj: Model
    score: float
    sources: tuple[str, ...]
    headline_title: SafeString = field(default_factory=SafeString)
    headline_text: SafeString = field(default_factory=SafeString)

    @property
    def use_case(self) -> Model:
        """The record, named for templates of the use-case library."""
        return self.obj


def rrf_merge(
    rankings: Mapping[str, Sequence[int]],
    *,
    k: int = RRF_K,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[int, float, tuple[str, ...]]]:
    """Return (id, score, names of the rankings it came from), best first.

    A record scores Σ weight / (k + rank) over the rankings (weight 1 unless given). Ties
    (same score) go to the better single rank, then to the smaller id, so the order is
    stable from one keystroke to the next.
    """
    scores: dict[int, float] = {}
    best: dict[int, int] = {}
    found_in: dict[int, list[str]] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, pk in enumerate(dict.fromkeys(ids), start=1):
            scores[pk] = scores.get(pk, 0.0) + weight / (k + rank)
            best[pk] = min(best.get(pk, rank), rank)
            found_in.setdefault(pk, []).append(name)
    order = sorted(scores, key=lambda pk: (-scores[pk], best[pk], pk))
    return [(pk, scores[pk], tuple(found_in[pk])) for pk in order]


def semantic_enabled() -> bool:
    """Return whether an embedding model is configured and loads (it is loaded if needed)."""
    return get_embedder() is not None


def clean_text(text: str | None, max_length: int) -> str:
    """Return `text` cut to `max_length`, control characters turned into spaces."""
    text = (text or "")[:max_length]
    return "".join(c if c.isprintable() or c in "\n\t" else " " for c in text).strip()


def _vector_ranking(
    source: SearchSource,
    queryset: QuerySet,
    text: str,
    *,
    limit: int,
    min_similarity: float | None,
    embedder: Embedder | None,
    query: bool,
) -> list[int]:
    embedder = embedder or get_embedder()
    if embedder is None:
        return []
    vector = _embedded(embedder, text, query=query)
    return _neighbours(source, queryset, vector, embedder, limit, min_similarity, query=query)


def _embedded(embedder: Embedder, text: str, *, query: bool) -> list[float] | None:
    """Return the text's vector, or None where it means nothing or the model failed."""
    if len(text) < MIN_TEXT_LENGTH:
        return None  # a letter or two means nothing to an embedding model
    try:
        [vector] = embedder.embed([Truncator(text).chars(QUERY_CHARS, truncate="")], query=query)
    except (RuntimeError, ValueError) as e:  # the model failed to decode: full text still works
        logger.warning("query not embedded: %s", e)
        return None
    return vector if any(vector) else None


def _neighbours(
    source: SearchSource,
    queryset: QuerySet,
    vector: list[float] | None,
    embedder: Embedder,
    limit: int,
    min_similarity: float | None,
    *,
    query: bool,
) -> list[int]:
    if vector is None:
        return []
    near_best = query and min_similarity is None  # a floor set by hand is taken as it is
    if min_similarity is None:
        min_similarity = embedder.min_similarity if query else embedder.similar_min_similarity
    neighbours = vectors.nearest(
        source, vector, model_name=embedder.model_name, limit=limit, restrict=queryset
    )
    best = 1.0 - neighbours[0][1] if neighbours else 0.0
    # For a search, only neighbours nearly as close as the closest: further ones rarely are
    # the entry asked for, and listed "by meaning" they read as noise (bench/search_quality:
    # same top-3, 4–9 instead of 20 vector hits per query).
    floor = max(min_similarity, best - NEAR_BEST) if near_best else min_similarity
    return [pk for pk, distance in neighbours if 1.0 - distance >= floor]


def _hits(
    source: SearchSource,
    queryset: QuerySet,
    merged: list[tuple[int, float, tuple[str, ...]]],
    query,
) -> list[Hit]:
    """Load the records of one page of `merged` and their highlights (two queries)."""
    ids = [pk for pk, _score, _found in merged]
    objects = queryset.filter(pk__in=ids).select_related(*source.select_related).in_bulk()
    present = [objects[pk] for pk in ids if pk in objects]
    headlines = with_headlines(source, present, query)
    return [
        Hit(objects[pk], score, found, *headlines[pk])
        for pk, score, found in merged
        if pk in objects
    ]


def search(
    source: SearchSource,
    query: str,
    *,
    queryset: QuerySet | None = None,
    limit: int = 50,
    offset: int = 0,
    embedder: Embedder | None = None,
) -> list[Hit]:
    """Return the hits for what someone typed, restricted to `queryset`, best first.

    Highlights are computed for the returned slice only. `embedder` defaults to the
    process's model (bench/search.py passes precomputed query vectors instead).
    """
    text = clean_text(query, MAX_QUERY_LENGTH)
    tokens = fulltext.query_tokens(text)
    if not tokens:
        return []
    queryset = source.base_queryset() if queryset is None else queryset
    embedder = embedder or get_embedder()
    stemmed = lexicon.stems(tokens, source.config)
    # The model embeds the query (C code, without the GIL) while PostgreSQL ranks the full
    # text: on two cores the two overlap instead of adding up. The model reads the glossary
    # terms the query matched as well: "Lohnzettel" alone is close to no entry, "Lohnzettel
    # (Gehaltsabrechnung)" is close to the one about pay.
    also = lexicon.synonyms_of(source.config, tokens, stemmed)
    pending = None
    if embedder:
        meant = synonyms.expanded_text(text, also)
        pending = _EMBEDDING.submit(_embedded, embedder, meant, query=True)
    words = fulltext.fulltext_ranking(
        source, queryset, text, FULLTEXT_CANDIDATES, stemmed=stemmed, also=also
    )
    weights = {
        FULLTEXT: FULLTEXT_WEIGHT if words.every_word else ANY_WORD_WEIGHT,
        VECTOR: VECTOR_WEIGHT,
    }
    rankings = {FULLTEXT: words.ids, VECTOR: []}
    if pending is not None:
        rankings[VECTOR] = _neighbours(
            source,
            queryset,
            pending.result(),
            embedder,
            VECTOR_CANDIDATES,
            source.min_similarity,
            query=True,
        )
    merged = rrf_merge(rankings, weights=weights)[offset : offset + limit]
    marks = words.marks or fulltext.tsquery(tokens, operator="|", config=source.config)
    return _hits(source, queryset, merged, marks)


def similar(
    source: SearchSource,
    title: str,
    text: str,
    *,
    queryset: QuerySet | None = None,
    exclude: int | None = None,
    limit: int = 5,
) -> list[Hit]:
    """Return up to `limit` existing records like the one being typed (duplicate check).

    Nothing below the floors: full-text hits must share a fifth of the text's words
    (`fulltext.similar_ids`), vector hits the model's `similar_min_similarity`.
    """
    title = clean_text(title, MAX_TEXT_LENGTH)
    text = clean_text(text, MAX_TEXT_LENGTH)
    if len(f"{title} {text}".strip()) < MIN_TEXT_LENGTH:
        return []
    queryset = source.base_queryset() if queryset is None else queryset
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    lexemes = fulltext.text_lexemes(title, text, config=source.config)
    rankings = {
        FULLTEXT: fulltext.similar_ids(source, queryset, lexemes, limit),
        VECTOR: _vector_ranking(
            source,
            queryset,
            "\n\n".join(part for part in (title, text) if part),
            limit=limit,
            min_similarity=source.similar_min_similarity,
            embedder=None,
            query=False,  # text against texts: both sides "passage"
        ),
    }
    merged = rrf_merge(rankings)[:limit]
    marks = fulltext.lexeme_query(lexemes.words) if lexemes.words else None
    return _hits(source, queryset, merged, marks)


def listing(source: SearchSource, queryset: QuerySet, *, limit: int) -> list[Hit]:
    """Return the first `limit` records of `queryset` as hits, unmarked (nothing typed)."""
    objects = list(queryset.select_related(*source.select_related)[:limit])
    headlines = with_headlines(source, objects, None)
    return [Hit(obj, 0.0, (), *headlines[obj.pk]) for obj in objects]
