"""Backfill or rebuild the embeddings of every searchable feature (after a model change, a
restore, an import)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assistants.embeddings import embedding_configured, get_embedder
from portal.selectors import embedding_model_label
from rollout.search import lexicon
from rollout.search.indexing import reindex
from rollout.search.sources import searchables


def _positive(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 10_000:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Rebuild the search's word lists, then compute missing or stale embeddings of use "
        "cases and FAQ entries with the configured model (PORTAL_EMBEDDING_BACKEND, "
        "PORTAL_EMBEDDING_MODEL_PATH) and ensure their HNSW indexes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="delete vectors (and indexes) of other models or dimensions, then recompute all",
        )
        parser.add_argument(
            "--batch", type=_positive, default=64, help="texts per embedding call (1–10000)"
        )

    def handle(self, *args, **options) -> None:
        words = lexicon.rebuild()
        self.stdout.write(f"{words} words listed for typing errors and compounds.")
        if not embedding_configured():
            self.stdout.write(
                "No embedding model configured (PORTAL_EMBEDDING_BACKEND=none, or gguf without "
                "PORTAL_EMBEDDING_MODEL_PATH): nothing to do, search runs on full text only."
            )
            return
        embedder = get_embedder()
        if embedder is None:
            name = embedding_model_label()
            raise CommandError(f"The embedding model {name} could not be loaded (see the log).")
        for searchable in searchables():
            result = reindex(
                searchable.source(),
                embedder,
                batch=options["batch"],
                rebuild=options["rebuild"],
                progress=self.stdout.write,
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.checked} {searchable.label} checked, {result.embedded} embedded, "
                    f"{result.deleted} vectors of other models deleted."
                )
            )
