"""Embeddings kept up to date: after-commit task, idempotency, reindex and rebuild."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import InterfaceError, OperationalError

from assistants.embeddings import Embedder, get_embedder, reset_embedder
from assistants.gguf_models import write_embedding_model
from rollout.models import UseCase, UseCaseEmbedding
from rollout.search import indexing, vectors
from rollout.search.sources import content_hash
from rollout.usecases.search import use_case_changed, use_case_source
from rollout.usecases.tasks import use_case_embed


@pytest.fixture
def tiny_model(settings, tiny_embedding_model: Path):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = tiny_embedding_model
    yield settings
    reset_embedder()


@pytest.fixture
def no_model(settings):
    reset_embedder()
    settings.EMBEDDING_MODEL_PATH = None
    yield
    reset_embedder()


def _use_case(owner, title: str = "Protokolle der Teamrunde") -> UseCase:
    return UseCase.objects.create(
        title=title,
        problem="Das Protokoll kostet jede Woche eine Stunde.",
        solution="Der Assistent schreibt den Entwurf.",
        tool="Protokoll-Assistent",
        owner=owner,
    )


def _run(callbacks) -> list[int]:
    """Run captured `delay_on_commit` calls as the worker would; return their results."""
    return [callback.func.__self__(*callback.args) for callback in callbacks]


def test_a_change_embeds_after_commit(bob, tiny_model, django_capture_on_commit_callbacks):
    use_case = _use_case(bob)
    with django_capture_on_commit_callbacks() as callbacks:
        use_case_changed(use_case.pk)
        assert not UseCaseEmbedding.objects.exists()  # nothing before the commit

    assert _run(callbacks) == [1]
    stored = UseCaseEmbedding.objects.get(use_case=use_case)
    text = use_case_source().embedding_text(use_case)
    assert text.startswith("Protokolle der Teamrunde\n\nDas Protokoll") and "Assistent" in text
    assert (stored.model_name, stored.dimension) == ("tiny-embed.gguf", 32)
    assert stored.content_hash == content_hash(text)
    assert len(stored.vector) == 32
    assert vectors.index_name(UseCaseEmbedding, 32) in _index_names()


def test_no_model_no_task_and_the_task_does_nothing(
    bob, no_model, django_capture_on_commit_callbacks
):
    use_case = _use_case(bob)
    with django_capture_on_commit_callbacks() as callbacks:
        use_case_changed(use_case.pk)
    assert callbacks == []
    assert use_case_embed(use_case.pk) == 0
    assert not UseCaseEmbedding.objects.exists()


def test_the_task_is_idempotent_and_follows_changes(bob, tiny_model) -> None:
    use_case = _use_case(bob)
    assert use_case_embed(use_case.pk) == 1
    first = UseCaseEmbedding.objects.get()

    assert use_case_embed(use_case.pk) == 0  # delivered twice: nothing rewritten
    again = UseCaseEmbedding.objects.get()
    assert (again.updated_at, again.content_hash) == (first.updated_at, first.content_hash)

    use_case.problem = "Niemand mag Protokolle schreiben."
    use_case.save()
    assert use_case_embed(use_case.pk) == 1
    changed = UseCaseEmbedding.objects.get()
    assert changed.pk == first.pk  # one row per use case, updated in place
    assert changed.content_hash != first.content_hash
    assert list(changed.vector) != list(first.vector)


def test_a_vanished_use_case_is_skipped_quietly(tiny_model, db) -> None:
    assert use_case_embed(987654) == 0


def test_retries_are_for_database_hiccups_only() -> None:
    assert set(use_case_embed.autoretry_for) == {OperationalError, InterfaceError}
    assert use_case_embed.soft_time_limit < use_case_embed.time_limit


class _EditWhileEmbedding:
    """The real embedder; meanwhile someone saves a new text (as a concurrent edit would)."""

    def __init__(self, embedder: Embedder, use_case: UseCase) -> None:
        self.embedder, self.use_case = embedder, use_case
        self.model_name, self.dimension = embedder.model_name, embedder.dimension

    def embed(self, texts: list[str]) -> list[list[float]]:
        UseCase.objects.filter(pk=self.use_case.pk).update(title="Ein ganz neuer Titel")
        return self.embedder.embed(texts)


def test_a_text_changed_during_embedding_is_left_to_its_own_task(bob, tiny_model) -> None:
    use_case = _use_case(bob)
    racing = _EditWhileEmbedding(get_embedder(), use_case)

    assert indexing.embed_records(use_case_source(), [use_case.pk], racing) == 0
    assert not UseCaseEmbedding.objects.exists()
    assert use_case_embed(use_case.pk) == 1  # the newer text's task


def _index_names() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s ORDER BY 1",
            ["%\\_hnsw\\_%"],
        )
        return [row[0] for row in cursor.fetchall()]


def test_reindex_backfills_in_batches_then_rebuilds_after_a_model_change(
    bob, tiny_model, tmp_path: Path
) -> None:
    use_cases = [_use_case(bob, f"Anwendungsfall {i}") for i in range(5)]
    use_case_embed(use_cases[0].pk)
    out = StringIO()

    call_command("search_reindex", "--batch", "2", stdout=out)

    assert "5 use cases checked, 4 embedded" in out.getvalue()
    assert "5/5 checked" in out.getvalue()
    assert UseCaseEmbedding.objects.filter(dimension=32).count() == 5
    call_command("search_reindex", stdout=(out := StringIO()))
    assert "5 use cases checked, 0 embedded" in out.getvalue()
    call_command("search_reindex", "--rebuild", stdout=(out := StringIO()))
    assert "5 embedded, 0 vectors of other models deleted" in out.getvalue()  # all again

    bigger = write_embedding_model(tmp_path / "other-embed.gguf", n_embd=16, seed=5)
    tiny_model.EMBEDDING_MODEL_PATH = bigger
    call_command("search_reindex", "--rebuild", stdout=(out := StringIO()))

    assert "5 embedded, 5 vectors of other models deleted" in out.getvalue()
    rows = set(UseCaseEmbedding.objects.values_list("model_name", "dimension"))
    assert rows == {("other-embed.gguf", 16)}
    # one index per searchable table (use cases, FAQ), only for the current dimension
    assert _index_names() == ["rollout_faqembedding_hnsw_16", "rollout_usecaseembedding_hnsw_16"]


def test_reindex_without_a_model_rebuilds_the_words_and_says_so_in_one_line(no_model, db) -> None:
    out = StringIO()
    call_command("search_reindex", stdout=out)
    words, nothing = out.getvalue().splitlines()
    assert words == "0 words listed for typing errors and compounds."
    assert "PORTAL_EMBEDDING_BACKEND" in nothing


@pytest.mark.parametrize("batch", ["0", "-3", "many", "10001"])
def test_reindex_refuses_a_bad_batch_size(batch: str, db) -> None:
    with pytest.raises(CommandError):
        call_command("search_reindex", "--batch", batch)


# --- after a model change, the periodic refresh embeds everything again ---------------------


def test_after_a_model_change_the_refresh_embeds_the_library_again(
    bob, tiny_model, tmp_path: Path
) -> None:
    from rollout.search.tasks import search_refresh

    use_cases = [_use_case(bob, f"Anwendungsfall {i}") for i in range(5)]
    assert indexing.stale_ids(use_case_source(), get_embedder(), 10) == [u.pk for u in use_cases]
    assert search_refresh() >= 5  # the FAQ's entries, if any, come along
    assert search_refresh() == 0  # all current: a no-op, as beat runs it every few minutes

    tiny_model.EMBEDDING_MODEL_PATH = write_embedding_model(tmp_path / "new.gguf", n_embd=16)
    assert len(indexing.stale_ids(use_case_source(), get_embedder(), 10)) == 5
    assert indexing.refresh_stale(limit=3, batch=2) == 3  # bounded: a big library takes runs
    assert indexing.refresh_stale() == 2

    rows = set(UseCaseEmbedding.objects.values_list("model_name", "dimension"))
    assert rows == {("new.gguf", 16)}
    assert "rollout_usecaseembedding_hnsw_16" in _index_names()


def test_the_refresh_without_a_model_does_nothing(no_model, bob) -> None:
    from rollout.search.tasks import search_refresh

    _use_case(bob)
    assert search_refresh() == 0
    assert not UseCaseEmbedding.objects.exists()
