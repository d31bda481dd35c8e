"""The per-dimension HNSW index and the nearest-neighbour queries (real pgvector)."""

from __future__ import annotations

import math
import random

import pytest
from django.db import connection, transaction

from rollout.models import UseCase, UseCaseEmbedding
from rollout.search import vectors
from rollout.usecases.search import use_case_source

MODEL = "tiny-embed.gguf"


def _unit(rng: random.Random, dimension: int) -> list[float]:
    vector = [rng.gauss(0, 1) for _ in range(dimension)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def _stored(owner, n: int, *, dimension: int = 32, model_name: str = MODEL, seed: int = 1):
    rng = random.Random(seed)
    use_cases = UseCase.objects.bulk_create(
        [UseCase(title=f"Fall {i}", problem="p", solution="s", owner=owner) for i in range(n)]
    )
    UseCaseEmbedding.objects.bulk_create(
        [
            UseCaseEmbedding(
                use_case=uc,
                model_name=model_name,
                dimension=dimension,
                content_hash="0" * 64,
                vector=_unit(rng, dimension),
            )
            for uc in use_cases
        ]
    )
    return use_cases


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [UseCaseEmbedding._meta.db_table],
        )
        return {name: definition for name, definition in cursor.fetchall() if "hnsw" in name}


def _plan(sql: str, params: list) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_index_per_dimension_is_created_once(db) -> None:
    name = vectors.ensure_vector_index(UseCaseEmbedding, 32)
    assert vectors.ensure_vector_index(UseCaseEmbedding, 32) == name
    assert name == "rollout_usecaseembedding_hnsw_32"
    (definition,) = _indexes().values()
    assert "USING hnsw (((vector)::vector(32)) vector_cosine_ops)" in definition
    assert definition.endswith("WHERE (dimension = 32)")

    assert vectors.ensure_vector_index(UseCaseEmbedding, 2001) is None  # beyond HNSW
    with pytest.raises(ValueError):
        vectors.ensure_vector_index(UseCaseEmbedding, 0)


def test_the_planner_uses_hnsw_and_the_exact_variant_does_not(bob) -> None:
    _stored(bob, 60)
    name = vectors.ensure_vector_index(UseCaseEmbedding, 32)
    query = _unit(random.Random(9), 32)
    source = use_case_source()

    hnsw = _plan(*vectors.nearest_sql(source, query, model_name=MODEL, limit=10))
    exact = _plan(*vectors.nearest_sql(source, query, model_name=MODEL, limit=10, exact=True))

    assert f"Index Scan using {name}" in hnsw
    assert name not in exact and "Seq Scan" in exact


def test_nearest_first_and_the_same_as_the_exact_scan(bob) -> None:
    use_cases = _stored(bob, 60)
    vectors.ensure_vector_index(UseCaseEmbedding, 32)
    source = use_case_source()
    target = UseCaseEmbedding.objects.get(use_case=use_cases[17])

    found = vectors.nearest(source, list(target.vector), model_name=MODEL, limit=10)
    exact = vectors.nearest(source, list(target.vector), model_name=MODEL, limit=10, exact=True)

    assert found[0][0] == use_cases[17].pk and found[0][1] == pytest.approx(0, abs=1e-6)
    assert [pk for pk, _d in found] == [pk for pk, _d in exact]
    distances = [d for _pk, d in found]
    assert distances == sorted(distances)


def test_only_vectors_of_this_model_dimension_and_queryset(bob) -> None:
    mine = _stored(bob, 5)
    _stored(bob, 5, model_name="other.gguf", seed=2)
    _stored(bob, 5, dimension=16, seed=3)
    source = use_case_source()
    query = _unit(random.Random(4), 32)

    ids = {pk for pk, _d in vectors.nearest(source, query, model_name=MODEL, limit=50)}
    assert ids == {uc.pk for uc in mine}

    some = UseCase.objects.filter(pk__in=[mine[1].pk, mine[3].pk])
    restricted = vectors.nearest(source, query, model_name=MODEL, limit=50, restrict=some)
    assert {pk for pk, _d in restricted} == {mine[1].pk, mine[3].pk}
    assert vectors.nearest(source, [0.0] * 32, model_name=MODEL, limit=5) == []


def test_vector_literal_refuses_what_would_poison_distances() -> None:
    assert vectors.vector_literal([0.5, -1.0]) == "[0.5,-1]"
    for bad in ([], [math.nan], [1.0, math.inf]):
        with pytest.raises(ValueError):
            vectors.vector_literal(bad)
    assert vectors.ef_search(10) == vectors.EF_SEARCH
    assert vectors.ef_search(5000) == vectors.MAX_EF_SEARCH


def test_indexes_of_other_dimensions_are_dropped(db) -> None:
    vectors.ensure_vector_index(UseCaseEmbedding, 32)
    vectors.ensure_vector_index(UseCaseEmbedding, 16)

    dropped = vectors.drop_other_vector_indexes(UseCaseEmbedding, keep=16)

    assert dropped == ["rollout_usecaseembedding_hnsw_32"]
    assert list(_indexes()) == ["rollout_usecaseembedding_hnsw_16"]
