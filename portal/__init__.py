"""The base: users and roles, access, site shell, audit log, health, registries, the stack."""

from __future__ import annotations

from portal.celery import app as celery_app

__all__ = ["celery_app"]
