"""The use-case library on the shared search machinery (rollout.search): its source, search
as you type, "similar use cases" while writing one, and keeping its embeddings current."""

from __future__ import annotations

from django.db.models import QuerySet

from assistants.embeddings import embedding_configured
from rollout.search import indexing
from rollout.search.hybrid import Hit, search, similar
from rollout.search.sources import SearchSource


def use_case_source() -> SearchSource:
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


def search_use_cases(
    query: str, *, queryset: QuerySet | None = None, limit: int = 50, offset: int = 0
) -> list[Hit]:
    """Return use cases matching `query` within `queryset` (the overview's filters)."""
    return search(use_case_source(), query, queryset=queryset, limit=limit, offset=offset)


def similar_use_cases(
    title: str, text: str, *, exclude: int | None = None, limit: int = 5
) -> list[Hit]:
    """Return existing use cases like the one being written (title, problem, solution)."""
    return similar(use_case_source(), title, text, exclude=exclude, limit=limit)


# --- keeping the embeddings up to date -------------------------------------------------


def use_case_changed(use_case_id: int) -> None:
    """Schedule (after commit) the embedding of a use case whose text changed."""
    if not embedding_configured():
        return  # nothing would ever read the vector; reindex fills it once a model is set
    from rollout.usecases.tasks import use_case_embed

    use_case_embed.delay_on_commit(use_case_id)


def use_case_embed_pending(use_case_ids: list[int]) -> int:
    """Embed these use cases unless their vector is current (the task's entry point)."""
    return indexing.embed_pending(use_case_source(), use_case_ids)


def use_cases_reindex(**options) -> indexing.Reindexed | None:
    """Reindex the use-case library; None when no embedding model is configured."""
    return indexing.reindex_configured(use_case_source(), **options)
