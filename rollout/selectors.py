"""Reads of the programme."""

from __future__ import annotations

from django.db.models import QuerySet

from rollout.models import Phase, Programme


def current_programme() -> Programme | None:
    return Programme.objects.order_by("pk").first()


def programme_phases(programme: Programme) -> QuerySet[Phase]:
    return programme.phases.select_related("owner").order_by("number")


def current_phase(phases: list[Phase]) -> Phase | None:
    """Return the active phase with the lowest number, else the next planned one."""
    active = [p for p in phases if p.status == Phase.Status.ACTIVE]
    if active:
        return active[0]
    planned = [p for p in phases if p.status == Phase.Status.PLANNED]
    return planned[0] if planned else None
