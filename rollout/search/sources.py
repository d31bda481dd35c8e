"""What the hybrid search needs to know about one searchable kind of record.

A feature (use cases, the FAQ) declares its `SearchSource` in its own `search.py`, calls
`rollout.search.hybrid.search(source, query)` and registers the source in its hooks
(`register_search_source`) so that `search_reindex` keeps its vectors current. Its model
needs a generated `search_vector` (German, title weighted A), an `Embedding` subclass
with a one-to-one `owner_field`, and a trigger that lists its words for `lexicon` (see
migration 0014: `portal_search_words_trigger('<source name>', '<tsvector column>')`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class SearchSource:
    name: str
    model: type[Model]
    embedding_model: type[Model]  # a rollout.search.models.Embedding subclass
    owner_field: str  # the embedding's one-to-one field pointing at `model`
    title_field: str
    excerpt_fields: tuple[str, ...]  # shown (with highlights) under the title
    embedded_fields: tuple[str, ...]  # what the embedding is computed from, in this order
    select_related: tuple[str, ...] = ()
    search_vector_field: str = "search_vector"
    config: str = "german"
    # Cosine similarity below which a vector neighbour is no hit at all, and the stricter
    # floor for "similar records" (duplicate detection while typing). None: the embedding
    # model's own (each model has its own scale); tests and benches set them to compare.
    min_similarity: float | None = None
    similar_min_similarity: float | None = None

    def base_queryset(self) -> QuerySet:
        return self.model._default_manager.all()

    @property
    def owner_column(self) -> str:
        return self.embedding_model._meta.get_field(self.owner_field).column

    def embedding_text(self, values: dict[str, Any] | Model) -> str:
        """Return the text an embedding is computed from (fields joined by blank lines)."""
        get = values.get if isinstance(values, dict) else lambda f: getattr(values, f)
        parts = [str(get(field) or "").strip() for field in self.embedded_fields]
        return "\n\n".join(part for part in parts if part)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Searchable:
    """A feature's searchable records, as `search_reindex` walks them."""

    label: str  # plural, for the command's (English) lines: "use cases", "FAQ entries"
    source: Callable[[], SearchSource]  # built on call: models load after the app


_searchables: list[Searchable] = []


def register_search_source(label: str, source: Callable[[], SearchSource]) -> None:
    """Make a feature's records known to `search_reindex` (call from the feature's hooks)."""
    if all(s.source is not source for s in _searchables):
        _searchables.append(Searchable(label, source))


def searchables() -> list[Searchable]:
    return list(_searchables)
