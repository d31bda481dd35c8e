"""Embeddings for semantic search, one table per searchable kind.

The vector column has no fixed dimension: the model (and its dimension) can change, and the
name and dimension are stored with every vector. The HNSW index is an expression index per
dimension (`vector::vector(N)`, partial on `dimension = N`), created by
`rollout.search.ensure_vector_index` when a model is configured.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from pgvector.django import VectorField

MAX_WORD_LENGTH = 60  # longer "words" are noise (hashes, URLs); the trigger skips them


class Embedding(models.Model):
    model_name = models.CharField(max_length=200)
    dimension = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)  # sha256 of the embedded text
    vector = VectorField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UseCaseEmbedding(Embedding):
    use_case = models.OneToOneField(
        "rollout.UseCase", on_delete=models.CASCADE, related_name="embedding"
    )

    class Meta:
        verbose_name = _("use case search vector")
        verbose_name_plural = _("use case search vectors")

    def __str__(self) -> str:
        return f"embedding of use case {self.use_case_id} ({self.model_name})"


class SearchWord(models.Model):
    """A word (stemmed lexeme) that occurs in a searchable kind of record.

    Kept by a database trigger on each source table (migration 0014), so it is current
    after any write, the admin's and a bulk load's included. `rollout.search.lexicon` looks
    up typing errors, parts of compounds and ae/ä spellings here; a word whose records are
    gone stays until `search_reindex` rebuilds the list (it would only match nothing).
    """

    source = models.CharField(max_length=40)  # SearchSource.name
    lexeme = models.CharField(max_length=MAX_WORD_LENGTH)
    folded = models.CharField(max_length=MAX_WORD_LENGTH)  # portal_fold(lexeme)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        constraints = [
            models.UniqueConstraint(fields=["source", "lexeme"], name="search_word_unique")
        ]
        indexes = [
            # Is a typed word known at all (as a prefix)? Compounds ending in a word are
            # looked up by reverse(folded), an expression index of migration 0014.
            models.Index(
                fields=["lexeme"], opclasses=["text_pattern_ops"], name="search_word_prefix"
            ),
            models.Index(fields=["folded"], name="search_word_folded"),  # compound heads
        ]

    def __str__(self) -> str:
        return f"{self.lexeme} ({self.source})"


class SearchWordKey(models.Model):
    """The folded word and each form of it with one letter deleted (symmetric delete).

    Two words whose keys meet are at most one edit apart (two, rarely), whatever the
    letter: a typing error is found by exact index lookups of the typed word's own keys.
    """

    word = models.ForeignKey(SearchWord, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=MAX_WORD_LENGTH)

    class Meta:
        verbose_name = _("search word key")
        verbose_name_plural = _("search word keys")
        indexes = [models.Index(fields=["key"], name="search_word_key")]

    def __str__(self) -> str:
        return self.key


class SearchGlossary(models.Model):
    """The company's own synonyms for the German search (`rollout.search.synonyms`): one row.

    Beside the portal's built-in list, which the admin may switch off. Read on every search
    by its `updated_at` only; the rules are parsed again in a process that sees it change.
    """

    text = models.TextField(_("the company's synonyms"), blank=True)
    use_built_in = models.BooleanField(_("use the built-in list"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("search glossary")
        verbose_name_plural = _("search glossary")

    def __str__(self) -> str:
        return str(_("Search glossary"))
