"""Hybrid search: PostgreSQL full text (German) + pgvector embeddings, merged by rank fusion."""
