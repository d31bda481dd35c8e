"""The use-case library and its search."""

from __future__ import annotations

urlpatterns: list = []
