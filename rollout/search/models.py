"""Embeddings for semantic search, one table per searchable kind.

The vector column has no fixed dimension: the model (and its dimension) can change, and the
name and dimension are stored with every vector. The HNSW index is an expression index per
dimension (`vector::vector(N)`, partial on `dimension = N`), created by
`rollout.search.ensure_vector_index` when a model is configured.
"""

from __future__ import annotations

from django.db import models
from pgvector.django import VectorField


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

    def __str__(self) -> str:
        return f"embedding of use case {self.use_case_id} ({self.model_name})"
