from __future__ import annotations

from rollout.models.phases import Phase, Programme

__all__ = ["Phase", "Programme"]
