"""Search pages and fragments (hybrid: full text + vectors)."""

from __future__ import annotations

urlpatterns: list = []
