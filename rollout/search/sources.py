"""What the hybrid search needs to know about one searchable kind of record.

A new kind (the FAQ) declares a `SearchSource` next to its models and calls
`rollout.search.hybrid.search(source, query)`; its model needs a generated `search_vector`
(German, title weighted A) and an `Embedding` subclass with a one-to-one `owner_field`.
"""

from __future__ import annotations

import hashlib
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
    # Cosine similarity below which a vector neighbour is no hit at all. Depends on the
    # embedding model: ~0.5 suits MiniLM-like models (unrelated texts score ~0–0.3).
    min_similarity: float = 0.5
    # The stricter floor for "similar records" (duplicate detection while typing).
    similar_min_similarity: float = 0.7

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


def use_cases() -> SearchSource:
    """Return the use-case library's source (built on call: models load after the app)."""
    from rollout.models import UseCase, UseCaseEmbedding

    return SearchSource(
        name="use_cases",
        model=UseCase,
        embedding_model=UseCaseEmbedding,
        owner_field="use_case",
        title_field="title",
        excerpt_fields=("problem", "solution"),
        embedded_fields=("title", "problem", "solution", "tool"),
        select_related=("department",),
    )
