"""The base's facts for the steering-committee report: who takes part, in which role."""

from __future__ import annotations

from portal import selectors
from portal.roles import Role


def people_facts() -> list[tuple[str, list[str]]]:
    counts = selectors.role_counts()
    return [("Beteiligung", [f"{role.label}: {counts.get(role.value, 0)}" for role in Role])]
