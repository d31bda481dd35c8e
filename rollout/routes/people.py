"""Multipliers, stakeholder groups and governance."""

from __future__ import annotations

urlpatterns: list = []
