"""Celery tasks of the rollout app (autodiscovered as `rollout.tasks`)."""

from __future__ import annotations

from rollout.tasks import events, kpis, search, usecases

__all__ = ["events", "kpis", "search", "usecases"]
