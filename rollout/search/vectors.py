"""Nearest neighbours in an embedding table through a per-dimension HNSW expression index.

The vector column has no fixed dimension (the model may change), and pgvector indexes only
typed columns, so each dimension N in use gets its own partial expression index
`USING hnsw ((vector::vector(N)) vector_cosine_ops) WHERE dimension = N`. The query must
repeat that expression and have `dimension = N` as a literal for the planner to use it; the
dimension is validated as an int before it is written into the SQL.

With a restricting queryset (filters), HNSW returns its `ef_search` nearest candidates and
the filter applies afterwards (pgvector 0.6 has no iterative scans), so a narrow filter may
leave fewer hits than asked for; the full-text side of the hybrid search is not affected.
"""

from __future__ import annotations

import logging
import math

from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import Model, QuerySet

from rollout.search.sources import SearchSource

logger = logging.getLogger(__name__)

# Candidates HNSW looks at per query (pgvector's default: 40). bench/search.py, 100,000
# vectors of 896 dimensions (the default model's) shaped like embeddings: recall@10 0.79 at
# 40, 0.94 at 100, 0.96 at 120, 0.98 at 150, 0.99 at 200; the time grows with it.
EF_SEARCH = 150
MAX_EF_SEARCH = 1000  # pgvector's upper bound
MAX_INDEXED_DIMENSION = 2000  # pgvector's HNSW limit for `vector`


def _dimension(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 16000:
        raise ValueError(f"not a vector dimension: {value!r}")
    return value


def index_name(model: type[Model], dimension: int) -> str:
    return f"{model._meta.db_table}_hnsw_{_dimension(dimension)}"


def ensure_vector_index(model: type[Model], dimension: int) -> str | None:
    """Create the HNSW index for `dimension` on `model`'s table unless it exists.

    Returns its name, or None for dimensions HNSW cannot index (exact scans then).
    Checked in the catalogue first: CREATE INDEX takes a lock that blocks writers even when
    the index exists, and this runs before embeddings are written.
    """
    if _dimension(dimension) > MAX_INDEXED_DIMENSION:
        return None
    table, name = model._meta.db_table, index_name(model, dimension)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            q = connection.ops.quote_name
            try:
                with transaction.atomic():
                    # Inside a transaction that inserted rows, the deferred foreign-key checks
                    # must run first: PostgreSQL refuses CREATE INDEX with pending triggers.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(
                        f"CREATE INDEX IF NOT EXISTS {q(name)} ON {q(table)} USING hnsw "
                        f"((vector::vector({dimension})) vector_cosine_ops) "
                        f"WHERE dimension = {dimension}"
                    )
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
            except (IntegrityError, ProgrammingError):
                # Two workers created it at the same moment: the other one won.
                logger.info("index %s created concurrently", name)
            else:
                logger.info("index %s ready", name)
    return name


def drop_other_vector_indexes(model: type[Model], keep: int) -> list[str]:
    """Drop the HNSW indexes of dimensions other than `keep` (after a model change)."""
    table, kept = model._meta.db_table, index_name(model, keep)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
            [table, f"{table}\\_hnsw\\_%"],
        )
        names = [row[0] for row in cursor.fetchall() if row[0] != kept]
        for name in names:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    return names


def vector_literal(vector: list[float]) -> str:
    """Return pgvector's text form; refuse NaN/inf, which would poison every distance."""
    if not vector or not all(math.isfinite(x) for x in vector):
        raise ValueError("vector must be non-empty and finite")
    return "[" + ",".join(f"{x:.8g}" for x in vector) + "]"


def nearest_sql(
    source: SearchSource,
    vector: list[float],
    *,
    model_name: str,
    limit: int,
    restrict: QuerySet | None = None,
    exact: bool = False,
) -> tuple[str, list]:
    """Return the SQL and parameters of `nearest()` (tests EXPLAIN it)."""
    dimension = _dimension(len(vector))
    table = connection.ops.quote_name(source.embedding_model._meta.db_table)
    owner = connection.ops.quote_name(source.owner_column)
    typed = "" if exact else f"::vector({dimension})"
    distance = f"e.vector{typed} <=> %s{typed or '::vector'}"
    where, params = f"e.dimension = {dimension} AND e.model_name = %s", [model_name]
    if restrict is not None and restrict.query.where:  # an unfiltered queryset needs no IN
        sub_sql, sub_params = restrict.order_by().values("pk").query.sql_with_params()
        where += f" AND e.{owner} IN ({sub_sql})"
        params += list(sub_params)
    literal = vector_literal(vector)
    sql = (
        f"SELECT e.{owner}, {distance} FROM {table} e WHERE {where} "  # noqa: S608 - literals
        f"ORDER BY {distance} LIMIT %s"
    )
    return sql, [literal, *params, literal, int(limit)]


def nearest(
    source: SearchSource,
    vector: list[float],
    *,
    model_name: str,
    limit: int,
    restrict: QuerySet | None = None,
    exact: bool = False,
) -> list[tuple[int, float]]:
    """Return (owner id, cosine distance) of the `limit` nearest vectors, nearest first.

    Only vectors of `model_name` with the query's dimension count. `restrict` (a queryset
    of the source's model) keeps only its records. `exact=True` orders by the uncast
    column, which no index serves: the sequential scan the bench compares HNSW with.
    """
    if not any(vector):
        return []  # a zero vector has no direction (see assistants.embeddings)
    sql, params = nearest_sql(
        source, vector, model_name=model_name, limit=limit, restrict=restrict, exact=exact
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # SET LOCAL: ends with this transaction, so pooled connections keep the default.
        cursor.execute(f"SET LOCAL hnsw.ef_search = {ef_search(limit)}")
        cursor.execute(sql, params)
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def ef_search(limit: int) -> int:
    """Return the hnsw.ef_search for `limit` results (HNSW returns at most ef_search)."""
    return min(max(EF_SEARCH, int(limit)), MAX_EF_SEARCH)
