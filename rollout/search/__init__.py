"""Hybrid search: PostgreSQL full text (German) + pgvector embeddings, merged by rank fusion.

- `sources`: what is searchable (model, text fields, embedding table), one `SearchSource` each;
- `fulltext`: prefix-aware German tsquery from what someone typed, ranked by ts_rank_cd;
- `lexicon`: each source's words (kept by a trigger) for typing errors, parts of compounds
  and ae/ä spellings, which widen the tsquery;
- `synonyms`: the German glossary (built-in list and the company's, edited on the glossary
  page: `views`, `forms`, `services`), which widens the tsquery and the embedded query;
- `vectors`: nearest neighbours through a per-dimension HNSW expression index;
- `hybrid`: both rankings merged by reciprocal rank fusion, with safe highlights;
- `indexing`: keeping the embeddings up to date (Celery after commit, `search_reindex`).
"""

from __future__ import annotations

from rollout.search.vectors import ensure_vector_index

__all__ = ["ensure_vector_index"]
