"""Celery tasks of the rollout app (autodiscovered as `rollout.tasks`)."""

from __future__ import annotations

from rollout.tasks import events, kpis, search

__all__ = ["events", "kpis", "search"]
