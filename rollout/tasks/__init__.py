"""Celery tasks of the rollout app (autodiscovered as `rollout.tasks`)."""

from __future__ import annotations

from rollout.tasks import events, faq, kpis, officehours, search, surveys, usecases

__all__ = ["events", "faq", "kpis", "officehours", "search", "surveys", "usecases"]
