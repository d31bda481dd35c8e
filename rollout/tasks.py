"""Celery tasks of the rollout app (autodiscovered as `rollout.tasks`)."""

from __future__ import annotations

from rollout.common import tasks as reminders
from rollout.events import tasks as events
from rollout.faq import tasks as faq
from rollout.officehours import tasks as officehours
from rollout.programme import tasks as kpis
from rollout.search import tasks as search
from rollout.surveys import tasks as surveys
from rollout.usecases import tasks as usecases

__all__ = ["events", "faq", "kpis", "officehours", "reminders", "search", "surveys", "usecases"]
