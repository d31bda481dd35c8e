"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

# Every use case is visible to every employee: so are its search and the duplicate check.
MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:usecase-search": ("/anwendungsfaelle/suche/?q=Protokoll", LOGIN, EVERYONE),
    "rollout:usecase-similar": (
        "/anwendungsfaelle/aehnliche/?title=Protokolle+schreiben",
        LOGIN,
        EVERYONE,
    ),
    "rollout:search-glossary": ("/suche/begriffe/", LOGIN, ADMIN_ONLY),
}
SEPARATELY_TESTED: set[str] = set()


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    return {}
