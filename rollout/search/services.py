"""Changing the company's search glossary (the only thing people edit in search)."""

from __future__ import annotations

from django.db import transaction

from portal.models import User
from portal.services import audit_record
from rollout.search.models import SearchGlossary
from rollout.search.synonyms import parse


def glossary_set(*, actor: User, text: str, use_built_in: bool) -> SearchGlossary:
    """Store the company's rules (the form has checked them: `synonyms.parse`).

    Every web process notices the new `updated_at` on its next search and reads the rules
    again; nothing needs reindexing, as synonyms widen the query, not the stored text.
    """
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    with transaction.atomic():
        row, _created = SearchGlossary.objects.select_for_update().get_or_create(pk=1)
        if row.text == text and row.use_built_in == use_built_in:
            return row
        row.text, row.use_built_in, row.updated_by = text, use_built_in, actor
        row.save()
        audit_record(
            actor=actor,
            action="search.glossary_changed",
            target=row,
            details={"rules": len(parse(text)), "built_in": use_built_in},
        )
    return row
