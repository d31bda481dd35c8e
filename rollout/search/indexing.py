"""Keeping the embeddings up to date."""

from __future__ import annotations


def use_case_changed(use_case_id: int) -> None:
    """Schedule (after commit) the embedding of a use case whose text changed."""
